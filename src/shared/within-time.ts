/**
 * A promise that settles as `call` does, or rejects after `ms` if it has not by then. The call
 * itself goes on (a command queued on a Redis connection still runs when Redis is back): use it
 * where a late outcome is harmless and waiting is not.
 */
export function withinTime<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}
