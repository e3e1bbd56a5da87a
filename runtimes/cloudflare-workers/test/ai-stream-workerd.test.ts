/**
 * A streamed Workers AI answer (`stream: true`) in workerd, with the runtime's own Ai binding
 * (miniflare's AI plugin) and a local stand-in inference service behind miniflare's remote-proxy
 * path that answers server-sent events as Workers AI does, in pieces with pauses between them.
 * The binding resolves `run` to the response's body stream (any content type but
 * application/json); the Worker gets every byte as sent, and the span ends when the stream does,
 * with the token usage of its last events.
 */
import { Miniflare } from 'miniflare';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startStandIn } from './helpers/stand-in.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Span {
  name: string;
  parent: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}
type Points = { attributes: Record<string, unknown>; sum?: number; count?: number; value?: number }[];
interface Dump {
  spans: Span[];
  calls: string[];
  duration?: Points;
  tokens?: Points;
  dropped?: Points;
}

const USAGE = 'data: {"response":"","usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}\n\n';
/** Each answer as the pieces the stand-in writes, a pause between them; split inside "é" and inside the "usage" key. */
const ANSWERS: Record<string, Buffer[]> = {
  '@cf/test/usage': pieces(['data: {"response":"one "}\n\n', 'data: {"response":"tw', 'o caf\u00e9', '"}\n\n', USAGE.slice(0, 30), USAGE.slice(30), 'data: [DONE]\n\n'], 3),
  '@cf/test/no-usage': pieces(['data: {"response":"one "}\n\n', 'data: {"response":"two"}\n\n', 'data: [DONE]\n\n']),
  '@cf/test/malformed': pieces(['data: {"response":"one "}\n\n', 'data: {"response":"","usage":{"prompt_tokens":1,,}}\n\n', 'data: {"response":"","usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}\n\n', 'data: [DONE]\n\n']),
  '@cf/test/respond': pieces(['data: {"response":"one "}\n\n', USAGE, 'data: [DONE]\n\n']),
};

/** The text's bytes in pieces; `split`: the piece whose UTF-8 bytes are cut one byte before their end (inside a two-byte character). */
function pieces(texts: string[], split?: number): Buffer[] {
  const out: Buffer[] = [];
  texts.forEach((t, i) => {
    const b = Buffer.from(t);
    if (i === split) out.push(b.subarray(0, b.length - 1), b.subarray(b.length - 1));
    else out.push(b);
  });
  return out;
}

/** Writes the pieces with a pause between them. */
function trickle(res: ServerResponse, list: Buffer[], i = 0): void {
  if (i === list.length) return void res.end();
  res.write(list[i]);
  setTimeout(() => trickle(res, list, i + 1), 20);
}

/** The cancelled answer's response: whether its connection closed before the stand-in ended it. */
const cancelled = { closedEarly: false };

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, Workers AI streamed answers, $name', ({ flags }) => {
  let mf: Miniflare;
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  const get = async <T>(path: string): Promise<T> => {
    const r = await mf.dispatchFetch(`http://worker.test${path}`);
    const text = await r.text();
    expect(r.status, text).toBe(200);
    return JSON.parse(text) as T;
  };
  const span = (spans: Span[], model: string): Span => {
    const s = spans.filter((x) => x.name === `chat ${model}`);
    expect(s, JSON.stringify(spans.map((x) => x.name))).toHaveLength(1);
    return s[0];
  };
  const labels = (model: string) => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': model });

  beforeAll(async () => {
    standIn = await startStandIn(({ headers }, res) => {
      const model = headers['mf-header-cf-consn-model-id'] as string;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cf-ai-req-id': 'req-stream' });
      if (model === '@cf/test/broken') {
        // One event, then the connection is lost mid-answer.
        res.write('data: {"response":"one "}\n\n');
        return void setTimeout(() => res.destroy(), 20);
      }
      if (model !== '@cf/test/cancel') return trickle(res, ANSWERS[model]);
      // One event, then nothing until the reader cancels (the connection closes) or 5 s pass.
      cancelled.closedEarly = false;
      res.write('data: {"response":"one "}\n\n');
      const timer = setTimeout(() => res.end(USAGE), 5000);
      res.on('close', () => {
        if (!res.writableEnded) cancelled.closedEarly = true;
        clearTimeout(timer);
      });
    });
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-ai-stream.ts')) }],
      compatibilityDate: '2026-04-01',
      compatibilityFlags: flags,
      ai: { binding: 'AI', remoteProxyConnectionString: standIn.url },
    } as never);
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
    await standIn?.close();
  });

  test('the span ends once the stream is read to its end, with the usage of its last event, in the span and the token histogram; the bytes are those sent', async () => {
    const model = '@cf/test/usage';
    const out = await get<{ isStream: boolean; endedAtHandOver: boolean; endedBeforeLastRead: boolean; endedAfter: boolean; chunks: number; bytes: string }>(`/read?model=${model}`);
    expect(out.isStream).toBe(true);
    expect(Buffer.from(out.bytes, 'base64').equals(Buffer.concat(ANSWERS[model]))).toBe(true);
    expect(out.chunks).toBeGreaterThan(1); // handed on as it came, not gathered first
    // Not ended when handed over, nor while chunks were still coming: only by the read that found the end.
    expect([out.endedAtHandOver, out.endedBeforeLastRead, out.endedAfter]).toEqual([false, false, true]);
    const { spans, tokens, duration } = await dump();
    const s = span(spans, model);
    expect(s.status.code).not.toBe(2);
    expect(s.attributes).toEqual({ ...labels(model), 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 });
    expect(JSON.stringify(spans)).not.toMatch(/streamed secret|café|"one "/);
    expect(tokens).toEqual(expect.arrayContaining([
      { attributes: { ...labels(model), 'gen_ai.token.type': 'input' }, sum: 7, count: 1 },
      { attributes: { ...labels(model), 'gen_ai.token.type': 'output' }, sum: 3, count: 1 },
    ]));
    expect(duration).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: labels(model), count: 1 })]));
  });

  test('a BYOB reader (the binding gives a byte stream) reads the same bytes; the span ends at the end, with the usage', async () => {
    const out = await get<{ endedAtHandOver: boolean; endedAfter: boolean; bytes: string }>('/byob?model=@cf/test/usage');
    expect(Buffer.from(out.bytes, 'base64').equals(Buffer.concat(ANSWERS['@cf/test/usage']))).toBe(true);
    expect([out.endedAtHandOver, out.endedAfter]).toEqual([false, true]);
    const { spans } = await dump();
    expect(spans.filter((x) => x.name === 'chat @cf/test/usage').at(-1)!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 });
  });

  test('a stream without usage: the span still ends at its end, with no token counts made up', async () => {
    const model = '@cf/test/no-usage';
    const out = await get<{ endedAtHandOver: boolean; endedBeforeLastRead: boolean; endedAfter: boolean; bytes: string }>(`/read?model=${model}`);
    expect(Buffer.from(out.bytes, 'base64').equals(Buffer.concat(ANSWERS[model]))).toBe(true);
    expect([out.endedAtHandOver, out.endedBeforeLastRead, out.endedAfter]).toEqual([false, false, true]);
    const { spans, tokens } = await dump();
    expect(span(spans, model).attributes).toEqual(labels(model));
    expect((tokens ?? []).filter((p) => p.attributes['gen_ai.request.model'] === model)).toEqual([]);
  });

  test('a usage event that is not JSON: passed on untouched, skipped and counted as a drop; a later usage is still read', async () => {
    const model = '@cf/test/malformed';
    const before = (await dump()).dropped?.find((p) => p.attributes.reason === 'invalid_value')?.value ?? 0;
    const out = await get<{ endedAfter: boolean; bytes: string }>(`/read?model=${model}`);
    expect(Buffer.from(out.bytes, 'base64').equals(Buffer.concat(ANSWERS[model]))).toBe(true);
    expect(out.endedAfter).toBe(true);
    const { spans, dropped } = await dump();
    const s = span(spans, model);
    expect(s.status.code).not.toBe(2);
    expect(s.attributes).toEqual({ ...labels(model), 'gen_ai.usage.input_tokens': 4, 'gen_ai.usage.output_tokens': 6 });
    expect(dropped?.find((p) => p.attributes.reason === 'invalid_value')?.value).toBe(before + 1);
  });

  test("a reader that cancels midway: the cancel reaches the service's connection; the span ends then, marked incomplete, not as an error", async () => {
    const model = '@cf/test/cancel';
    const out = await get<{ endedAtHandOver: boolean; endedBeforeCancel: boolean; endedAfter: boolean; first: string }>(`/cancel?model=${model}`);
    expect(out.first).toBe('data: {"response":"one "}\n\n');
    expect([out.endedAtHandOver, out.endedBeforeCancel, out.endedAfter]).toEqual([false, false, true]);
    await expect.poll(() => cancelled.closedEarly).toBe(true);
    const { spans, duration } = await dump();
    const s = span(spans, model);
    expect(s.status.code).not.toBe(2);
    expect(s.attributes).toEqual({ ...labels(model), 'http.response.body.incomplete': true });
    expect(duration).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: labels(model), count: 1 })]));
  });

  test("a stream that fails midway: the reader gets the failure, the span ends with it (ERROR, error.type), the duration too", async () => {
    const model = '@cf/test/broken';
    const out = await get<{ endedAtHandOver: boolean; endedAfter: boolean; error?: string; bytes: string; calls: string[] }>(`/read?model=${model}`);
    expect(out.error, JSON.stringify(out)).toBeDefined();
    expect(Buffer.from(out.bytes, 'base64').toString()).toBe('data: {"response":"one "}\n\n');
    expect([out.endedAtHandOver, out.endedAfter], JSON.stringify(out)).toEqual([false, true]);
    expect(out.calls).toEqual(['ai AI run error']);
    const { spans, duration } = await dump();
    const s = span(spans, model);
    expect(s.status.code).toBe(2);
    expect(s.attributes['error.type']).toBe(out.error!.split(':')[0]);
    expect(duration).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: { ...labels(model), 'error.type': s.attributes['error.type'] }, count: 1 })]));
  });

  test("the stream returned as the Worker's response: the client gets the bytes as sent; the span ends after, with the usage, and is exported then", async () => {
    const model = '@cf/test/respond';
    const r = await mf.dispatchFetch(`http://worker.test/respond?model=${model}`);
    expect(r.headers.get('x-ended-at-hand-over')).toBe('false');
    expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.concat(ANSWERS[model]))).toBe(true);
    // The span ended after the invocation's export had gone: it leaves at once, while the
    // invocation is kept for it, not with the next request's export (lost if the isolate went first).
    const exports = (await (await mf.dispatchFetch('http://worker.test/exports')).json()) as string[][];
    expect(exports.filter((e) => e.includes(`chat ${model}`))).toEqual([[`chat ${model}`]]);
    const { spans, calls } = await dump();
    expect(calls).toEqual(['ai AI run']);
    expect(span(spans, model).attributes).toEqual({ ...labels(model), 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 3 });
  });
});
