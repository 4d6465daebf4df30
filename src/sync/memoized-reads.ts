/**
 * Owner lookups repeat across a batch: forty grids of one account share a deal, a company and their owners.
 * Within one sync batch each distinct read is asked once; writes pass straight through. Deals the batch
 * already read (the deal rule's lookup brings their owners) are answered without asking again.
 */
import type { CrmClient, FoundRecord } from '../crm/crm-client.ts';

export function memoizeOwnerReads(crm: CrmClient, knownDeals?: ReadonlyMap<string, FoundRecord>): CrmClient {
  const cache = new Map<string, Promise<unknown>>();
  function once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = read();
      // A failed read is not remembered: the next caller asks again.
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  }
  return {
    ...crm,
    getOwner: (ownerId) => once(`owner:${ownerId}`, () => crm.getOwner(ownerId)),
    getDeals: (ids, fields) => {
      const known = fields.length === 0 ? ids.map((id) => knownDeals?.get(id)) : [];
      if (known.length > 0 && known.every((d) => d !== undefined)) {
        return Promise.resolve(new Map(known.map((d) => [d.id, d])));
      }
      return once(`deals:${ids.join(',')}:${fields.join(',')}`, () => crm.getDeals(ids, fields));
    },
    getCompanies: (ids, fields) =>
      once(`companies:${ids.join(',')}:${fields.join(',')}`, () => crm.getCompanies(ids, fields)),
  };
}

/** What the owner chain reads of a grid: its deal, and its company when the chain may need it. */
export interface OwnerLinks {
  deal?: string;
  company?: string;
}

/**
 * The owner chain of many grids in a few batched reads: every grid's deal in one getDeals (the adapter splits
 * it to the CRM's batch size), then, when the chain has a company step, the companies of the grids whose deal
 * gives no owner, in one getCompanies. Afterwards each grid's single-record reads are answered from what was
 * read, a record the CRM did not return included (it is not asked for again).
 */
export function prefetchOwnerRecords(crm: CrmClient): {
  crm: CrmClient;
  prefetch: (grids: OwnerLinks[], companyStep: boolean) => Promise<void>;
} {
  const deals = new Map<string, FoundRecord | undefined>();
  const companies = new Map<string, FoundRecord | undefined>();
  const fill = async (
    known: Map<string, FoundRecord | undefined>,
    ids: (string | undefined)[],
    read: (ids: string[], fields: string[]) => Promise<Map<string, FoundRecord>>,
  ): Promise<void> => {
    const missing = [...new Set(ids)].filter((id): id is string => id !== undefined && !known.has(id));
    if (missing.length === 0) return;
    const found = await read(missing, []);
    for (const id of missing) known.set(id, found.get(id));
  };
  const answer = (
    known: Map<string, FoundRecord | undefined>,
    ids: string[],
    fields: string[],
  ): Map<string, FoundRecord> | undefined => {
    if (fields.length > 0 || !ids.every((id) => known.has(id))) return undefined;
    return new Map(ids.flatMap((id) => (known.get(id) ? [[id, known.get(id) as FoundRecord]] : [])));
  };
  return {
    async prefetch(grids, companyStep) {
      await fill(
        deals,
        grids.map((g) => g.deal),
        (ids, fields) => crm.getDeals(ids, fields),
      );
      if (!companyStep) return;
      const ownerless = grids.filter((g) => g.deal === undefined || !deals.get(g.deal)?.ownerId);
      await fill(
        companies,
        ownerless.map((g) => g.company),
        (ids, fields) => crm.getCompanies(ids, fields),
      );
    },
    crm: {
      ...crm,
      getDeals: (ids, fields) => {
        const known = answer(deals, ids, fields);
        return known ? Promise.resolve(known) : crm.getDeals(ids, fields);
      },
      getCompanies: (ids, fields) => {
        const known = answer(companies, ids, fields);
        return known ? Promise.resolve(known) : crm.getCompanies(ids, fields);
      },
    },
  };
}
