/**
 * A sliding request window several processes share: at most `limit` requests per `windowMs` under one key,
 * whichever process sends them. A slot is held from the moment a request leaves until its answer is in, and
 * counts for one window after that (the latest moment the other side can have counted it), the way
 * src/crm/request-budget.ts counts its own requests. PostgreSQL keeps them (src/store/postgres/
 * postgres-request-slots.ts), so every replica of a deployment shares each tenant's CRM budget.
 */
export interface SharedWindows {
  /** A slot now, or how long until one may be free. */
  take(key: string, limit: number, windowMs: number): Promise<SharedSlot | { waitMs: number }>;
  /**
   * How long until a slot of the key is free and nobody waits for it (0: now), without taking one. A slot that
   * frees while a request of some replica waits is taken at once, so only one left free for `idleMs` counts:
   * a replica uses this to leave a tenant whose budget another replica is already spending.
   */
  idleInMs(key: string, limit: number, idleMs: number): Promise<number>;
}

export interface SharedSlot {
  /** Slots of the key in use deployment-wide when this one was taken, this one included. */
  used: number;
  /** The answer is in (or the request was abandoned): the slot counts for one window from now. */
  settle(): Promise<void>;
  /** The request never left: the slot is free again as it was before. */
  cancel(): Promise<void>;
}
