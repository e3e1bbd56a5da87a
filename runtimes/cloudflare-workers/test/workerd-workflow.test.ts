/**
 * Cloudflare Workflows under instrument(), in real workerd (miniflare 4 runs the Workflows engine
 * locally): a fetch handler creates instances of an instrumented WorkflowEntrypoint; each run()
 * gets a span, each step.do attempt a child span, and the spans leave through the instance's
 * this.ctx.waitUntil to a local OTLP receiver.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { spansOf, waitFor, type DecodedSpan } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

const INTERNAL = 1;
const CLIENT = 3;
const SERVER = 2;
const ERROR = 2;

type Status = { status: string; output?: unknown; error?: { name: string; message: string } };

describe('workerd: a Workflow under instrument()', () => {
  let srv: TestServer;
  let mf: Miniflare;
  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({
      flags: ['nodejs_compat'],
      entry: fixture('worker-workflow.ts'),
      vars: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url },
      extra: { durableObjects: {}, workflows: { FLOW: { name: 'flow', className: 'FlowWorkflow' } } },
    });
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  const call = async (path: string): Promise<Status> => (await mf.dispatchFetch(`http://worker.test${path}`)).json() as Promise<Status>;
  /** Polls the instance's status() until `done` says so. */
  async function until(id: string, done: (s: Status) => boolean): Promise<Status> {
    for (let i = 0; i < 400; i++) {
      const s = await call(`/status?id=${id}`);
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`instance ${id}: still ${JSON.stringify(await call(`/status?id=${id}`))}`);
  }
  const runSpans = (id: string) => spansOf(srv).filter((s) => s.name === 'Flow.run' && s.attributes['cloudflare.workflow.instance_id'] === id);
  const childrenOf = (run: DecodedSpan) => spansOf(srv).filter((s) => s.parentSpanId === run.spanId);
  const exceptions = (s: DecodedSpan) => (s.events ?? []).filter((e) => e.name === 'exception') as unknown as { attributes: { key: string; value: { stringValue?: string } }[] }[];
  const message = (e: { attributes: { key: string; value: { stringValue?: string } }[] }) => e.attributes.find((a) => a.key === 'exception.message')?.value.stringValue;

  test('run() gets a SERVER span (FaaS incoming invocation) with the instance id; each step.do attempt a child span in its trace, a binding call in a step the step\'s child; run()\'s output unchanged', async () => {
    await call('/start?id=ok&mode=ok');
    const status = await until('ok', (s) => s.status === 'complete');
    expect(status.output).toEqual({ first: { telemetry: true }, retried: 2 });
    const [run] = await waitFor(() => runSpans('ok').length === 1 && runSpans('ok'));
    expect(run!.kind).toBe(SERVER);
    expect(run!.parentSpanId || undefined).toBeUndefined();
    expect(run!.attributes).toMatchObject({ 'faas.trigger': 'other', 'cloudflare.trigger': 'workflow', 'cloudflare.workflow.instance_id': 'ok' });
    expect(run!.attributes['rpc.system']).toBeUndefined(); // not an RPC call: the engine runs it
    const steps = await waitFor(() => childrenOf(run!).length === 3 && childrenOf(run!));
    expect(steps.map((s) => s.name).sort()).toEqual(['first', 'flaky', 'flaky']); // flaky: two attempts
    for (const s of steps) {
      expect(s.kind).toBe(INTERNAL);
      expect(s.traceId).toBe(run!.traceId);
    }
    const first = steps.find((s) => s.name === 'first')!;
    expect(first.attributes['cloudflare.workflow.step.attempt']).toBe(1);
    const kv = spansOf(srv).find((s) => s.parentSpanId === first.spanId);
    expect(kv?.kind).toBe(CLIENT);
    expect(kv?.attributes['db.system.name']).toBe('cloudflare.kv');
  });

  test('a step retried once: a span per attempt with the retry config, the first ERROR with its exception, the second fine; a step that fails for good: ERROR on its attempt and the run, the instance errored with the same error', async () => {
    await call('/start?id=fail&mode=fail');
    const status = await until('fail', (s) => s.status === 'errored');
    expect(status.error).toMatchObject({ name: 'TypeError', message: 'step broke' });
    const [run] = await waitFor(() => runSpans('fail').length === 1 && runSpans('fail'));
    const steps = await waitFor(() => childrenOf(run!).length === 4 && childrenOf(run!));
    const flaky = steps.filter((s) => s.name === 'flaky').sort((a, b) => Number(a.attributes['cloudflare.workflow.step.attempt']) - Number(b.attributes['cloudflare.workflow.step.attempt']));
    const retries = { 'cloudflare.workflow.step.retries.limit': 2, 'cloudflare.workflow.step.retries.delay': 10, 'cloudflare.workflow.step.retries.backoff': 'constant' };
    expect(flaky.map((s) => s.attributes)).toEqual([
      { ...retries, 'cloudflare.workflow.step.attempt': 1 },
      { ...retries, 'cloudflare.workflow.step.attempt': 2 },
    ]);
    expect(flaky[0]!.status).toMatchObject({ code: ERROR, message: 'first attempt broke' });
    expect(exceptions(flaky[0]!).map(message)).toEqual(['first attempt broke']);
    expect(flaky[1]!.status?.code ?? 0).not.toBe(ERROR);
    expect(exceptions(flaky[1]!)).toEqual([]);
    const broken = steps.filter((s) => s.name === 'broken');
    expect(broken).toHaveLength(1); // retries.limit 0: one attempt
    expect(broken[0]!.status).toMatchObject({ code: ERROR, message: 'step broke' });
    expect(exceptions(broken[0]!).map(message)).toEqual(['step broke'])
    expect(run!.status).toMatchObject({ code: ERROR, message: 'step broke' });
    expect(run!.attributes['error.type']).toBe('TypeError');
  });

  test('step.sleep and step.waitForEvent are events on the run span, with the step name, the sleep duration, the event type', async () => {
    await call('/start?id=events&mode=ok');
    await until('events', (s) => s.status === 'complete');
    const [run] = await waitFor(() => runSpans('events').length === 1 && runSpans('events'));
    const sleep = (run!.events ?? []).find((e) => e.name === 'step.sleep') as unknown as { attributes: { key: string; value: Record<string, unknown> }[] };
    expect(sleep?.attributes.map((a) => a.key).sort()).toEqual(['cloudflare.workflow.sleep', 'cloudflare.workflow.step.name']);
    expect(sleep.attributes.find((a) => a.key === 'cloudflare.workflow.step.name')?.value.stringValue).toBe('pause');

    await call('/start?id=wait&mode=wait');
    await until('wait', (s) => s.status === 'running' && JSON.stringify(s).includes('telemetry'));
    await call('/go?id=wait');
    expect((await until('wait', (s) => s.status === 'complete')).output).toEqual({ first: { telemetry: true }, second: 'approved' });
    const [waited] = await waitFor(() => runSpans('wait').length === 1 && runSpans('wait'));
    const event = (waited!.events ?? []).find((e) => e.name === 'step.waitForEvent') as unknown as { attributes: { key: string; value: { stringValue?: string } }[] };
    expect(Object.fromEntries(event.attributes.map((a) => [a.key, a.value.stringValue]))).toEqual({
      'cloudflare.workflow.step.name': 'approval',
      'cloudflare.workflow.waitForEvent': 'go',
    });
  });

  test('a run replayed after pause and resume: the step done before returns from the cache without a span, counted on the new run span; the new step is its child', async () => {
    await call('/start?id=replay&mode=wait');
    await until('replay', (s) => s.status === 'running' && JSON.stringify(s).includes('telemetry'));
    await call('/pause?id=replay');
    await until('replay', (s) => s.status === 'paused');
    await call('/resume?id=replay');
    await until('replay', (s) => s.status === 'running');
    await call('/go?id=replay');
    expect((await until('replay', (s) => s.status === 'complete')).output).toEqual({ first: { telemetry: true }, second: 'approved' });
    const runs = await waitFor(() => runSpans('replay').length === 2 && runSpans('replay'));
    const replay = runs.find((r) => r.attributes['cloudflare.workflow.replayed_steps'] === 1);
    expect(replay, 'the second run counts the replayed step').toBeDefined();
    const before = runs.find((r) => r !== replay)!;
    expect(childrenOf(before).map((s) => s.name)).toEqual(['first']);
    expect((await waitFor(() => childrenOf(replay!).length > 0 && childrenOf(replay!))).map((s) => s.name)).toEqual(['second']);
    expect(before.attributes['cloudflare.workflow.replayed_steps']).toBeUndefined();
    // The engine ended the first run for the pause (run() rejected with its "Aborting engine: …"): no failure of the run.
    expect(before.status?.code ?? 0, 'a run the engine aborted for a pause is no error').not.toBe(ERROR);
    expect(exceptions(before)).toEqual([]);
    expect(before.attributes['error.type']).toBeUndefined();
    expect(before.attributes['cloudflare.workflow.abort_reason']).toBe('Aborting engine: User called pause');
  });

  test('a run terminated while it waits: run() settles with the engine\'s abort and its spans leave (the invocation ended first, they were lost), the run span no error, the reason on it', async () => {
    await call('/start?id=term&mode=wait');
    await until('term', (s) => s.status === 'running' && JSON.stringify(s).includes('telemetry'));
    await call('/terminate?id=term');
    await until('term', (s) => s.status === 'terminated');
    const [run] = await waitFor(() => runSpans('term').length === 1 && runSpans('term'), 5000);
    expect(run!.attributes['cloudflare.workflow.abort_reason']).toBe('Aborting engine: User called terminate');
    expect(run!.status?.code ?? 0).not.toBe(ERROR);
    expect(exceptions(run!)).toEqual([]);
    expect((await waitFor(() => childrenOf(run!).length > 0 && childrenOf(run!))).map((s) => s.name)).toEqual(['first']);
  });

  const clientSpans = (name: string, id: string) => spansOf(srv).filter((s) => s.name === name && s.attributes['cloudflare.workflow.instance_id'] === id);
  test('the Workflow binding: create, get and status() get CLIENT spans under the request\'s span, with the instance id the run span carries, never the params', async () => {
    await call('/start?id=linked&mode=ok');
    const [create] = await waitFor(() => clientSpans('workflow create', 'linked').length === 1 && clientSpans('workflow create', 'linked'));
    expect(create!.kind).toBe(CLIENT);
    expect(create!.attributes).toEqual({ 'cloudflare.workflow.name': 'FLOW', 'cloudflare.workflow.instance_id': 'linked' });
    const parent = spansOf(srv).find((s) => s.spanId === create!.parentSpanId);
    expect(parent?.kind).toBe(SERVER);
    await until('linked', (s) => s.status === 'complete');
    const [run] = await waitFor(() => runSpans('linked').length === 1 && runSpans('linked'));
    expect(run!.attributes['cloudflare.workflow.instance_id']).toBe(create!.attributes['cloudflare.workflow.instance_id']);
    const [get] = await waitFor(() => clientSpans('workflow get', 'linked').length > 0 && clientSpans('workflow get', 'linked'));
    const [status] = await waitFor(() => clientSpans('workflow status', 'linked').length > 0 && clientSpans('workflow status', 'linked'));
    for (const s of [get!, status!]) {
      expect(s.kind).toBe(CLIENT);
      expect(s.attributes['cloudflare.workflow.name']).toBe('FLOW');
      expect(spansOf(srv).find((p) => p.spanId === s.parentSpanId)?.kind).toBe(SERVER);
    }
  });

  test('get() of an unknown instance: the rejection reaches the app unchanged, the CLIENT span ERROR with it', async () => {
    const res = await mf.dispatchFetch('http://worker.test/missing?id=no-such-id');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ name: 'Error', message: 'instance.not_found' });
    const [get] = await waitFor(() => clientSpans('workflow get', 'no-such-id').length === 1 && clientSpans('workflow get', 'no-such-id'));
    expect(get!.status).toMatchObject({ code: ERROR, message: 'instance.not_found' });
    expect(get!.attributes['error.type']).toBe('Error');
  });
});
