/**
 * Holds a receiver's answers: matching requests are recorded when they arrive (as always) but not
 * answered until release(), which answers them with the handler that was in place; later ones
 * are answered at once. stop() puts that handler back. A test that proves "the response never waits for the export" holds the answers, gets its
 * response, then releases: an export answered after the response was read cannot have been
 * waited for.
 */
import { createHold } from '../../../runtimes/test-support/hold.js';
import type { Received, Receiver } from './receiver.js';

export interface HeldAnswers {
  /** False until release(). */
  readonly released: boolean;
  /** Requests that arrived while held, in order. */
  readonly held: readonly Received[];
  /** Every matching request answered since the hold began (until stop()), with when (Date.now()) it was answered. */
  readonly answered: readonly { readonly request: Received; readonly at: number }[];
  release(): void;
  /** Releases, and gives the receiver its handler back. */
  stop(): void;
}

/** OTLP posts (`/v1/...`) by default. */
export function holdAnswers(rx: Receiver, matches: (q: Received) => boolean = (q) => q.path.startsWith('/v1/')): HeldAnswers {
  const previous = rx.handler;
  const hold = createHold();
  const held: Received[] = [];
  const answered: { request: Received; at: number }[] = [];
  const answer = (q: Received, res: Parameters<Receiver['handler']>[1], i: number): void => {
    answered.push({ request: q, at: Date.now() });
    previous(q, res, i);
  };
  rx.handler = (q, res, i) => {
    if (!matches(q)) return previous(q, res, i);
    if (!hold.held) return answer(q, res, i);
    held.push(q);
    void hold.wait().then(() => answer(q, res, i));
  };
  return {
    get released() {
      return !hold.held;
    },
    held,
    answered,
    release() {
      hold.release();
    },
    stop() {
      hold.release();
      rx.handler = previous;
    },
  };
}
