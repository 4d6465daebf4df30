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
