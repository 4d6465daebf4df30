/**
 * The database failed (unreachable, disk full, locked too long, constraint broken by a bug). Intake answers 503
 * `store_unavailable` for it; the original driver error is the `cause`. Errors thrown by callers' own callbacks
 * (e.g. `AcceptGrid.answer`) pass through unwrapped.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
