/**
 * Races a promise against a timer. jsforce's own timeout only covers the wait for response headers, so a
 * response whose body stalls would otherwise hold a request (and the worker's lease) indefinitely.
 * The losing promise keeps running; its outcome is ignored, never left unhandled.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
