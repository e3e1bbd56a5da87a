import type { Diagnostics } from '../../../src/diag/diagnostics.js';
import type { Done } from './binding-span.js';

/**
 * A streamed Workers AI answer (`stream: true`: server-sent events, `data: {...}` lines) handed on
 * chunk for chunk, the same bytes in their order, as each arrives; its text is only searched for
 * `"usage"`, and just the lines holding it are parsed (the token counts come in the last events).
 * `done` gets `{ usage }` (the last one seen) when the stream ends, or its error; `cut` is called
 * first when the reader cancels it, which goes on to the binding's stream.
 */
export function watchStream(source: ReadableStream<Uint8Array<ArrayBuffer>>, diag: Diagnostics, done: Done, cut: () => void): ReadableStream<Uint8Array<ArrayBuffer>> {
  const reader = source.getReader();
  const text = new TextDecoder();
  // The text after the last line end: a line (an event) may come in pieces.
  let rest = '';
  let usage: unknown;
  let over = false;
  const end = (error?: unknown, failed?: boolean): void => {
    if (!over) done({ usage }, error, failed!);
    over = true;
  };
  const scan = (lines: string): void => {
    for (const line of lines.split('\n'))
      if (line.includes('"usage"'))
        try {
          const o = JSON.parse(line.slice(line.indexOf('{')));
          // `"usage":null` in an OpenAI-style chunk: the counts seen before are kept.
          usage = o.usage ?? usage;
        } catch {
          diag.drop('invalid_value', 'Workers AI: a stream event with "usage" was not JSON');
        }
  };
  // A byte stream, as the binding's own is (a BYOB reader still works).
  return new ReadableStream({
    type: 'bytes',
    async pull(c) {
      let r: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
      try {
        r = await reader.read();
      } catch (err) {
        end(err, true);
        return c.error(err);
      }
      if (over) return;
      if (r.done) {
        scan(rest + text.decode());
        end();
        return c.close();
      }
      // Read before it is handed on: a byte stream takes the chunk's buffer over.
      try {
        const t = text.decode(r.value, { stream: true });
        const n = t.lastIndexOf('\n');
        if (n < 0) rest += t;
        else {
          scan(rest + t.slice(0, n));
          rest = t.slice(n + 1);
        }
        // A stream with no line ends is no event stream: nothing kept past 1 MB.
        if (rest.length > 1 << 20) rest = '';
      } catch {
        // not text: passed on all the same
      }
      c.enqueue(r.value);
    },
    cancel(reason) {
      cut();
      end();
      return reader.cancel(reason);
    },
  });
}
