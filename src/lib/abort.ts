/** Sleeps for ms, or until the signal aborts (then resolves early: shutdown is not an error). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Coerces anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}

/** Waits for `promise`, or until the signal aborts (then resolves early), leaving no listener behind. */
export function settledOrAborted(promise: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return promise.then(() => undefined);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, (thrown: unknown) => {
      signal.removeEventListener('abort', done);
      reject(toError(thrown));
    });
  });
}
