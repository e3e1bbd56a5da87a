/**
 * Workers AI's edges in workerd, with the runtime's own Ai binding (miniflare's AI plugin) and a
 * local stand-in inference service behind miniflare's remote-proxy path (as ai-workerd.test.ts):
 * the binding's other members answer as the runtime's own through the proxy; a streamed result
 * reaches the Worker whole; a raw Response passes untouched; AI Gateway options and extra
 * headers are never recorded; odd arguments fail as the binding fails them; the operation name
 * follows the model's kind; look-alike bindings are not taken for Workers AI; the metrics'
 * units and bucket advice.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, startStandIn } from './helpers/stand-in.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Span {
  name: string;
  kind: number;
  parent: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: unknown[];
}
interface Metric {
  unit: string;
  points: { attributes: Record<string, unknown>; bounds: number[]; sum: number; count: number }[];
}
interface Dump {
  spans: Span[];
  calls: string[];
  duration?: Metric;
  tokens?: Metric;
}

const asked: { path: string; model: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];

const SVC = `
import { WorkerEntrypoint, DurableObject } from 'cloudflare:workers';
export class Tools extends DurableObject {
  run(model) { return 'do ' + model; }
  models() { return []; }
  gateway() { return 'do gateway'; }
}
export default class extends WorkerEntrypoint {
  run(model) { return 'svc ' + model; }
  models() { return []; }
  gateway() { return 'svc gateway'; }
}`;

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, Workers AI binding edges, $name', ({ flags }) => {
  let mf: Miniflare;
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  const get = async <T>(path: string): Promise<T> => {
    const r = await mf.dispatchFetch(`http://worker.test${path}`);
    const text = await r.text();
    expect(r.status, text).toBe(200);
    return JSON.parse(text) as T;
  };
  const span = (spans: Span[], name: string): Span => {
    const s = spans.find((x) => x.name === name);
    expect(s, `${name} among ${JSON.stringify(spans.map((x) => x.name))}`).toBeDefined();
    return s!;
  };

  beforeAll(async () => {
    standIn = await startStandIn(({ path, headers, body }, res) => {
      const model = headers['mf-header-cf-consn-model-id'] as string | undefined;
      asked.push({ path, model, headers, body });
      const answer = (v: unknown, extra: Record<string, string> = {}) => json(res, 200, v, { 'cf-ai-req-id': `req-${model ?? 'none'}`, ...extra });
      if (path === '/ai-api/models/search') return answer({ result: [{ name: '@cf/meta/llama-3.1-8b-instruct' }] });
      if (path === '/ai-gateway/gateways/gw1/url/openai') return answer({ result: { url: 'https://gateway.test/gw1/openai' } });
      if (path === '/autorag/rags') return answer({ result: [{ id: 'rag1' }] });
      if (path !== '/run' && path !== '/ai-gateway/run') return void res.writeHead(404).end();
      const inputs = (JSON.parse(body || '{}') as { inputs?: Record<string, unknown> }).inputs ?? {};
      if (inputs.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cf-ai-req-id': 'req-stream' });
        res.write('data: {"response":"one "}\n\n');
        setTimeout(() => res.end('data: {"response":"two"}\n\ndata: {"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n'), 50);
        return;
      }
      const usage = { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 };
      if (path === '/ai-gateway/run') return answer({ response: 'via gateway', usage }, { 'cf-aig-log-id': 'log-1' });
      return answer({ response: `answer from ${model}`, usage });
    });
    mf = new Miniflare({
      workers: [
        {
          name: 'main',
          modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-ai-edges.ts')) }],
          compatibilityDate: '2026-04-01',
          compatibilityFlags: flags,
          ai: { binding: 'AI', remoteProxyConnectionString: standIn.url },
          serviceBindings: { SVC: 'svc' },
          durableObjects: { NS: { className: 'Tools', scriptName: 'svc' } },
          bindings: { CFG: { run: 'fast', models: ['a', 'b'], gateway: 'gw' } },
        },
        { name: 'svc', modules: true, script: SVC, compatibilityDate: '2026-04-01', durableObjects: { NS: 'Tools' } },
      ],
    } as never);
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
    await standIn?.close();
  });

  test("the binding's other members answer through the instrumented proxy as the runtime's own", async () => {
    const out = await get<Record<string, unknown>>('/members');
    expect(out).toEqual({
      chat: { response: 'answer from @cf/test/members', usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } },
      after: { lastRequestId: 'req-@cf/test/members', aiGatewayLogId: null, status: 200 },
      models: [{ name: '@cf/meta/llama-3.1-8b-instruct' }],
      url: 'https://gateway.test/gw1/openai',
      markdown: 'function',
      rags: [{ id: 'rag1' }],
      logs: [],
      same: true,
    });
    const { spans, calls } = await dump();
    // Only run is traced: models, gateway, autorag go untraced, and none is taken for an inference.
    expect(spans.filter((s) => s.attributes['gen_ai.provider.name']).map((s) => s.name)).not.toContain(expect.stringMatching(/models|gateway|autorag|rag1|gw1/));
    expect(calls.filter((c) => c.startsWith('ai '))).not.toContain('ai AI models');
  });

  test('a streamed result: the Worker gets the stream and reads it whole; the span ends with the stream, with its usage (ai-stream-workerd.test.ts has more)', async () => {
    const out = await get<{ isStream: boolean; endedBefore: boolean; text: string }>('/stream');
    expect(out.isStream).toBe(true);
    expect(out.endedBefore).toBe(false);
    expect(out.text).toBe('data: {"response":"one "}\n\ndata: {"response":"two"}\n\ndata: {"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n');
    const { spans } = await dump();
    const s = span(spans, 'chat @cf/test/stream');
    expect(s.status.code).not.toBe(2);
    expect(s.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'cloudflare.workers_ai',
      'gen_ai.request.model': '@cf/test/stream',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(JSON.stringify(spans)).not.toMatch(/streamed secret|"one "/);
  });

  test('returnRawResponse: the Response comes back untouched, body unread', async () => {
    const out = await get<Record<string, unknown>>('/raw');
    expect(out).toEqual({ isResponse: true, status: 200, used: false, body: { response: 'answer from @cf/test/raw', usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } } });
    const { spans } = await dump();
    const s = span(spans, 'generate_content @cf/test/raw');
    expect(s.attributes).toEqual({ 'gen_ai.operation.name': 'generate_content', 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': '@cf/test/raw' });
  });

  test("AI Gateway: the call goes the gateway's way; its id, metadata and the extra headers are never recorded", async () => {
    const out = await get<{ out: { response: string }; aiGatewayLogId: string }>('/gateway');
    expect(out).toEqual({ out: { response: 'via gateway', usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } }, aiGatewayLogId: 'log-1' });
    const sent = asked.filter((a) => a.model === '@cf/test/gateway').at(-1)!;
    expect(sent.path).toBe('/ai-gateway/run');
    expect(sent.headers['mf-header-x-api-key']).toBe('header-secret');
    expect(JSON.parse(sent.body).options).toEqual({ gateway: { id: 'my-gw', skipCache: true, metadata: { user: 'gw-meta-secret' } } });
    const { spans, tokens } = await dump();
    const s = span(spans, 'generate_content @cf/test/gateway');
    expect(s.attributes['gen_ai.usage.input_tokens']).toBe(11);
    expect(JSON.stringify(spans)).not.toMatch(/header-secret|gw-meta-secret|my-gw/);
    expect(JSON.stringify(tokens)).not.toMatch(/header-secret|gw-meta-secret|my-gw/);
  });

  test('odd arguments: each fails (or not) as the binding itself does, by rejection, never thrown by run', async () => {
    const out = await get<Record<string, { sync: boolean; name?: string; value?: unknown }>>('/odd');
    // A model that is not a string goes to the binding untraced (the binding sends it as text).
    expect(out.nonString).toEqual({ sync: false, value: { response: 'answer from 42', usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } } });
    // The binding reads its inputs' entries: undefined and null inputs are its TypeError, rejected.
    expect(out.undef).toEqual({ sync: false, name: 'TypeError' });
    expect(out.nul).toEqual({ sync: false, name: 'TypeError' });
    expect(out.text).toMatchObject({ sync: false });
    // An inputs object whose getter throws: the binding's own promise rejects with it.
    expect(out.getter).toEqual({ sync: false, name: 'RangeError' });
    const { spans } = await dump();
    expect(spans.map((s) => s.name)).not.toContain('generate_content 42');
    expect(span(spans, 'generate_content @cf/test/undefined').attributes['error.type']).toBe('TypeError');
    expect(span(spans, 'generate_content @cf/test/null').attributes['error.type']).toBe('TypeError');
  });

  test("the operation follows the model's kind: `text` is an embedding only for an embedding model", async () => {
    await get('/kinds');
    const { spans } = await dump();
    const op = (model: string) => spans.find((s) => s.attributes['gen_ai.request.model'] === model)?.attributes['gen_ai.operation.name'];
    expect(op('@cf/baai/bge-m3')).toBe('embeddings');
    expect(op('@cf/google/embeddinggemma-300m')).toBe('embeddings');
    // A translation, a text classification, a speech synthesis take `text` too: none is an embedding.
    expect(op('@cf/meta/m2m100-1.2b')).not.toBe('embeddings');
    expect(op('@cf/huggingface/distilbert-sst-2-int8')).not.toBe('embeddings');
    expect(op('@deepgram/aura-2-en')).not.toBe('embeddings');
    const complete = spans.find((s) => s.attributes['gen_ai.request.model'] === '@cf/meta/llama-3.1-8b-instruct')!;
    expect(complete.attributes).toMatchObject({ 'gen_ai.request.seed': 7, 'gen_ai.request.top_k': 3 });
    expect(JSON.stringify(spans)).not.toMatch(/once upon a time|read this aloud|I like it/);
  });

  test('look-alikes: a service binding and a Durable Object stub with run/models/gateway methods are RPC, a JSON var with those keys untouched', async () => {
    const out = await get<Record<string, unknown>>('/lookalikes');
    expect(out).toEqual({ svc: 'svc @cf/test/svc', obj: 'do @cf/test/do', cfg: { run: 'fast', models: ['a', 'b'], gateway: 'gw' }, cfgKeys: ['run', 'models', 'gateway'] });
    const { spans, calls } = await dump();
    expect(span(spans, 'SVC.run').attributes['rpc.method']).toBe('run');
    expect(span(spans, 'NS.run').attributes['rpc.method']).toBe('run');
    expect(spans.map((s) => s.name)).not.toContain('generate_content @cf/test/svc');
    expect(spans.map((s) => s.name)).not.toContain('generate_content @cf/test/do');
    expect(calls).toEqual(expect.arrayContaining(['service SVC run', 'durable_object NS run']));
    expect(calls.some((c) => c.startsWith('ai CFG') || c.startsWith('ai SVC') || c.startsWith('ai NS'))).toBe(false);
  });

  test("the metrics: units 's' and '{token}', the conventions' bucket advice exactly, the conventions' labels", async () => {
    await get('/members');
    const { duration, tokens } = await dump();
    expect(duration!.unit).toBe('s');
    expect(tokens!.unit).toBe('{token}');
    for (const p of duration!.points) expect(p.bounds).toEqual([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    for (const p of tokens!.points) expect(p.bounds).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    const labels = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'cloudflare.workers_ai', 'gen_ai.request.model': '@cf/test/members' };
    expect(duration!.points.find((p) => p.attributes['gen_ai.request.model'] === '@cf/test/members')!.attributes).toEqual(labels);
    expect(tokens!.points.filter((p) => p.attributes['gen_ai.request.model'] === '@cf/test/members').map((p) => [p.attributes, p.sum / p.count])).toEqual([
      [{ ...labels, 'gen_ai.token.type': 'input' }, 11],
      [{ ...labels, 'gen_ai.token.type': 'output' }, 4],
    ]);
  });
});
