import { now } from '../time.js';

/**
 * Wraps an async producer so concurrent callers share one in-flight run and results are
 * reused for `ttlSeconds`: a flood of /health requests costs the dependencies one check run.
 */
export function cachedRun<T>(run: () => Promise<T>, ttlSeconds: number, clock: () => number = now): () => Promise<T> {
  let inflight: Promise<T> | undefined;
  let value: T | undefined;
  let expires = -Infinity;
  return () => {
    if (value !== undefined && clock() < expires) return Promise.resolve(value);
    if (inflight) return inflight;
    const p = run().then(
      (v) => {
        value = v;
        expires = clock() + ttlSeconds * 1000;
        inflight = undefined;
        return v;
      },
      (err: unknown) => {
        inflight = undefined;
        throw err;
      },
    );
    inflight = p;
    return p;
  };
}
