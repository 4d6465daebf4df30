/**
 * Owner lookups repeat across a batch: forty grids of one account share a deal, a company and their owners.
 * Within one sync batch each distinct read is asked once; writes pass straight through.
 */
import type { CrmClient } from '../crm/crm-client.ts';

export function memoizeOwnerReads(crm: CrmClient): CrmClient {
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
    getDeals: (ids, fields) =>
      once(`deals:${ids.join(',')}:${fields.join(',')}`, () => crm.getDeals(ids, fields)),
    getCompanies: (ids, fields) =>
      once(`companies:${ids.join(',')}:${fields.join(',')}`, () => crm.getCompanies(ids, fields)),
  };
}
