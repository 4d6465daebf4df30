/**
 * How a claim divides its limit among the tenants with due work, the same on both adapters: each tenant gets
 * an equal share, and what a tenant with less due work leaves over goes to the others (water-filling). A
 * backlog ordered by tenant therefore never becomes one tenant at a time: every tenant with due work gets
 * jobs in every claim, each its own group with its own CRM budget.
 */

/** `due[i]` jobs are due for tenant i (counted up to the limit); returns how many to take from each. */
export function fairShares(due: readonly number[], limit: number): number[] {
  const shares = due.map(() => 0);
  let left = Math.max(0, Math.floor(limit));
  let open = due.map((_, i) => i).filter((i) => due[i]! > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    const next: number[] = [];
    for (const i of open) {
      if (left === 0) break;
      const take = Math.min(each, due[i]! - shares[i]!, left);
      shares[i]! += take;
      left -= take;
      if (shares[i]! < due[i]!) next.push(i);
    }
    open = next;
  }
  return shares;
}
