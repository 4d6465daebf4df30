/**
 * Runs `work` with an AbortSignal that fires after `ms`, and rejects with `onTimeout()` at that moment even if
 * the work ignores the signal (jsforce's timeout only covers the wait for response headers; a body that stalls
 * would otherwise hold a request, and the worker's lease, indefinitely). The losing promise keeps running; its
 * outcome is ignored, never left unhandled. `signal` (shutdown) aborts the work too.
 */
export async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  onTimeout: () => Error,
  signal?: AbortSignal,
): Promise<T> {
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), Math.max(0, ms));
  const combined = signal === undefined ? timer.signal : AbortSignal.any([timer.signal, signal]);
  const expiry = new Promise<never>((_resolve, reject) => {
    timer.signal.addEventListener('abort', () => reject(onTimeout()), { once: true });
  });
  expiry.catch(() => undefined);
  const running = work(combined);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expiry]);
  } finally {
    clearTimeout(handle);
  }
}
