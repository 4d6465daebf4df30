/**
 * Runs `work` with an AbortSignal that fires after `ms`, and rejects with `onTimeout()` at that moment even if
 * the work ignores the signal (jsforce's timeout only covers the wait for response headers; a body that stalls
 * would otherwise hold a request, and the worker's lease, indefinitely). The losing promise keeps running; its
 * outcome is ignored, never left unhandled.
 *
 * `cancel.signal` (shutdown) aborts the work too, and rejects at once with `cancel.onAbort()`, for the same
 * reason: a process that is stopping must not wait for work that does not listen.
 */
export async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  onTimeout: () => Error,
  cancel?: { signal: AbortSignal; onAbort: () => Error },
): Promise<T> {
  if (cancel?.signal.aborted) throw cancel.onAbort();
  const attempt = new AbortController();
  let fail: (error: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      attempt.abort(error);
      reject(error);
    };
  });
  stopped.catch(() => undefined);
  const handle = setTimeout(() => fail(onTimeout()), Math.max(0, ms));
  // One listener per try on a signal that lives as long as the process: removed when the try ends.
  const onCancel = (): void => fail(cancel?.onAbort() ?? new Error('cancelled'));
  cancel?.signal.addEventListener('abort', onCancel, { once: true });
  try {
    const running = work(attempt.signal);
    running.catch(() => undefined);
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(handle);
    cancel?.signal.removeEventListener('abort', onCancel);
  }
}
