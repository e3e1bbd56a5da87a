/**
 * Workers AI in workerd: the binding is the runtime's own (workerd's Ai class, given by miniflare's
 * AI plugin); only Cloudflare's inference service is replaced by a local Node server behind
 * miniflare's remote-proxy path, as the OTLP receiver stands in for a collector elsewhere. Each
 * `run` gets a GenAI CLIENT span and the GenAI metrics; prompts and outputs are never recorded.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, startStandIn } from './helpers/stand-in.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Span {
  id: string;
  name: string;
  kind: number;
  parent: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}
interface Dump {
  spans: Span[];
  calls: string[];
  duration?: { attributes: Record<string, unknown>; count: number }[];
  tokens?: { attributes: Record<string, unknown>; sum: number }[];
}

/** What the stand-in inference service was asked: the model and the inputs the binding sent. */
const asked: { model: string | null; url: string | null; inputs: Record<string, unknown> }[] = [];

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, Workers AI binding, $name', ({ flags }) => {
  let mf: Miniflare;
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;

  beforeAll(async () => {
    standIn = await startStandIn(({ url, headers, body }, res) => {
      const model = headers['mf-header-cf-consn-model-id'] as string | undefined;
      // Not an inference: refused.
      if (!model) return void res.writeHead(404).end();
      const inputs = (JSON.parse(body || '{}') as { inputs?: Record<string, unknown> }).inputs ?? {};
      asked.push({ model, url, inputs });
      const answer = (status: number, v: unknown) => json(res, status, v, { 'cf-ai-req-id': 'req-1' });
      if (model === '@cf/missing/model') return answer(400, { internalCode: 5007, description: 'No such model', name: 'InferenceUpstreamError' });
      if (model === '@cf/openai/gpt-oss-20b') return answer(200, { output: [], usage: { input_tokens: 9, output_tokens: 21, total_tokens: 30 } });
      if (Array.isArray(inputs.messages)) return answer(200, { response: 'a private answer', usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } });
      return answer(200, { shape: [2, 3], data: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] });
    });
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-ai.ts')) }],
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

  test('a chat: a CLIENT span `chat {model}` under the SERVER span, its settings and token usage; the metrics; no prompt or answer', async () => {
    const r = await mf.dispatchFetch('http://worker.test/chat');
    const body = (await r.json()) as { out: { response: string }; server: string };
    expect(body.out.response).toBe('a private answer'); // the binding's result is unchanged
    expect(asked.at(-1)).toMatchObject({ model: '@cf/meta/llama-3.1-8b-instruct', url: 'https://workers-binding.ai/run?version=3' });
    const { spans, calls, duration, tokens } = await dump();
    const chat = spans.find((s) => s.name === 'chat @cf/meta/llama-3.1-8b-instruct')!;
    expect(chat, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(chat.kind).toBe(3);
    expect(chat.parent).toBe(body.server); // called before the handler's first await in either mode
    expect(chat.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'cloudflare.workers_ai',
      'gen_ai.request.model': '@cf/meta/llama-3.1-8b-instruct',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(JSON.stringify(spans)).not.toMatch(/secret question|private answer/);
    expect(calls).toContain('ai AI run');
    const labels = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': '@cf/meta/llama-3.1-8b-instruct' };
    expect(duration).toEqual(expect.arrayContaining([{ attributes: labels, count: 1 }]));
    expect(tokens).toEqual(expect.arrayContaining([
      { attributes: { ...labels, 'gen_ai.token.type': 'input' }, sum: 12 },
      { attributes: { ...labels, 'gen_ai.token.type': 'output' }, sum: 5 },
    ]));
  });

  test('a Responses-style model (usage as input_tokens / output_tokens): its token counts are read too', async () => {
    const r = await mf.dispatchFetch('http://worker.test/responses');
    expect(((await r.json()) as { out: { usage: unknown } }).out.usage).toEqual({ input_tokens: 9, output_tokens: 21, total_tokens: 30 });
    const { spans } = await dump();
    const s = spans.find((x) => x.name === 'generate_content @cf/openai/gpt-oss-20b')!;
    expect(s.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 21 });
  });

  test('embeddings: `embeddings {model}`, no usage reported, none made up', async () => {
    const r = await mf.dispatchFetch('http://worker.test/embed');
    expect(((await r.json()) as { out: { shape: number[] } }).out.shape).toEqual([2, 3]);
    const { spans } = await dump();
    const e = spans.find((s) => s.name === 'embeddings @cf/baai/bge-small-en-v1.5')!;
    expect(e.attributes).toEqual({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': '@cf/baai/bge-small-en-v1.5' });
  });

  test("a failed inference: the binding's error reaches the Worker unchanged; the span has ERROR and error.type, the duration too", async () => {
    const r = await mf.dispatchFetch('http://worker.test/fail');
    expect(await r.json()).toEqual({ name: 'InferenceUpstreamError', message: '5007: No such model' });
    const { spans, duration } = await dump();
    const failed = spans.find((s) => s.name === 'generate_content @cf/missing/model')!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('InferenceUpstreamError');
    expect(duration).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: expect.objectContaining({ 'gen_ai.request.model': '@cf/missing/model', 'error.type': 'InferenceUpstreamError' }) })]));
  });
});
