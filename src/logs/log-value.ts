import { clip, sanitizeAny, type Cut } from '../attributes/sanitize.js';
import type { Redactor } from '../attributes/redact.js';
import type { AnyValue } from '../model/attributes.js';

/** A `Cut` that also tells when a value was written as text of another type (see `fromText`). */
export interface LogCut extends Cut {
  converted?: boolean;
}

/** What a value written as text of another type is reported as (a message, an attribute, a Logs API body). */
export const CONVERTED = 'a log value of no log type (a function or symbol as the message, a BigInt past 2^53, an invalid Date) was written as text';

/** Causes kept as nested maps under an error's map; one deeper is left out, counted as a cut. */
const MAX_CAUSES = 8;

/**
 * What a log value that `sanitizeAny` wrote as text (`given` is no string) becomes instead. An
 * Error is the map `errorValue` makes (its text, "TypeError: boom", lost its stack and cause); a
 * BigInt past 2^53 stays its digits and an invalid Date stays 'Invalid Date', as a span attribute
 * is written, and like it flags `cut.converted` (a change of type, or no time kept) for the caller
 * to count. Anything else (a URL's toJSON text) is `text` as it was.
 */
export function fromText(given: unknown, text: string, max: number, redactor: Redactor, cut: LogCut): AnyValue {
  if (given instanceof Error) {
    // The cut of the text form, if any, is not what is kept.
    cut.truncated = false;
    return errorValue(given, max, redactor, cut, [given]);
  }
  if (typeof given === 'bigint' || (given instanceof Date && Number.isNaN(given.getTime()))) cut.converted = true;
  return text;
}

/**
 * An Error as a log value: the map of its `name`, `message`, `code` (a string or number, as
 * Node's `ENOENT`), `stack` and `cause` (an Error's as such a map again), each read on its own
 * (one that throws is left out and flagged `cut.unreadable`). Texts meet the value length limit
 * (`max`), and the message and stack are redacted as `exception.message` and
 * `exception.stacktrace` are (URL secrets quoted in them); the caller redacts the map by its keys.
 */
function errorValue(e: Error, max: number, redactor: Redactor, cut: LogCut, seen: unknown[]): AnyValue {
  const out: Record<string, AnyValue> = {};
  const read = (key: string): unknown => {
    try {
      return (e as unknown as Record<string, unknown>)[key];
    } catch {
      cut.unreadable = true;
    }
  };
  const put = (key: string, as?: string): void => {
    let v = read(key);
    if (typeof v === 'number' && key === 'code') out.code = v;
    if (typeof v !== 'string') return;
    if (as !== undefined) v = redactor.apply(as, v);
    if (typeof v !== 'string') return;
    if (v.length > max) cut.truncated = true;
    out[key] = clip(v, max);
  };
  put('name');
  put('message', 'exception.message');
  put('code');
  put('stack', 'exception.stacktrace');
  const cause = read('cause');
  if (cause !== undefined && cause !== null) {
    if (cause instanceof Error) {
      if (seen.includes(cause)) out.cause = '[Circular]';
      else if (seen.length > MAX_CAUSES) cut.truncated = true;
      else {
        seen.push(cause);
        out.cause = errorValue(cause, max, redactor, cut, seen);
      }
    } else {
      const v = sanitizeAny(cause, max, 1, undefined, cut, redactor, 'cause');
      if (v !== undefined) out.cause = v;
      else cut.noValue = true;
    }
  }
  return out;
}
