/**
 * A hold: whatever waits on it goes on only when the test releases it. A test that proves "X never
 * waits for Y" holds Y and checks that X happened while Y was still held: an order of events,
 * which a slow or loaded machine cannot turn around, instead of elapsed milliseconds against a
 * threshold. Web APIs only, so it runs under Node, Deno, Bun and in workerd.
 */

export interface Hold {
  /** True until release(), and again after hold(). */
  readonly held: boolean;
  /** Callers waiting now. */
  readonly waiting: number;
  /** Callers that went on (released, or found the hold open). */
  readonly passed: number;
  /** Resolves at once when not held, else at the next release(); rejects with the reason if `signal` aborts first. */
  wait(signal?: AbortSignal | null): Promise<void>;
  /** Lets every waiting caller, and every later one until hold(), go on. */
  release(): void;
  /** Holds again: later wait() calls wait for the next release(). */
  hold(): void;
}

export function createHold(held = true): Hold {
  let waiters: (() => void)[] = [];
  let isHeld = held;
  let passed = 0;
  return {
    get held() {
      return isHeld;
    },
    get waiting() {
      return waiters.length;
    },
    get passed() {
      return passed;
    },
    wait(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!isHeld) {
        passed++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const go = (): void => {
          signal?.removeEventListener('abort', abort);
          passed++;
          resolve();
        };
        const abort = (): void => {
          waiters = waiters.filter((w) => w !== go);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', abort, { once: true });
        waiters.push(go);
      });
    },
    release() {
      isHeld = false;
      const go = waiters;
      waiters = [];
      for (const w of go) w();
    },
    hold() {
      isHeld = true;
    },
  };
}

type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that waits for `hold` before it sends anything (an abort while it waits rejects as
 * fetch would). `fetch` is resolved per call (globalThis.fetch by default), as the library does.
 */
export function heldFetch(hold: Hold, fetch?: FetchLike): FetchLike {
  return (input, init) => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return hold.wait(signal).then(() => (fetch ?? globalThis.fetch)(input, init));
  };
}

/**
 * `p`, or a rejection with `message` once `ms` have passed: a liveness bound for a test whose
 * proof is an order of events. It decides only how soon a broken build fails (instead of the
 * test runner's timeout), never whether a working one passes: pick `ms` many times longer than
 * the step ever takes, and shorter than any deadline that could end what the test holds.
 */
export function failAfter<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
