/**
 * Workflow edge cases under instrument() in real workerd (miniflare 4): a step that throws
 * NonRetryableError is attempted once and fails the instance as without the monitor; concurrent
 * steps and step.sleepUntil; each step callback run once has one span.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Span {
  id: string;
  name: string;
  kind: number;
  parent: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
}
type Status = { status: string; output?: unknown; error?: { name: string; message: string } };
const INTERNAL = 1;
const SERVER = 2;
const ERROR = 2;

describe('workerd: Workflow edges under instrument()', () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-workflow-edges.ts'), vars: {}, extra: { durableObjects: {}, workflows: { FLOW: { name: 'edge', className: 'EdgeWorkflow' } } } as never });
  });
  afterAll(async () => {
    await mf?.dispose();
  });
  const get = async (p: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${p}`)).json();
  async function until(id: string): Promise<Status> {
    for (let i = 0; i < 400; i++) {
      const s = (await get(`/status?id=${id}`)) as Status;
      if (s.status === 'complete' || s.status === 'errored') return s;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`instance ${id} did not finish`);
  }
  async function spansOf(id: string, done: (s: Span[]) => boolean): Promise<{ calls: string[]; run: Span; children: Span[] }> {
    for (let i = 0; ; i++) {
      const d = (await get('/dump')) as { calls: string[]; spans: Span[] };
      const run = d.spans.find((s) => s.name === 'Edge.run' && s.attributes['cloudflare.workflow.instance_id'] === id);
      const children = run ? d.spans.filter((s) => s.parent === run.id) : [];
      if (run && done(children)) return { calls: d.calls, run, children };
      if (i > 400) throw new Error(`no spans for ${id}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  test('NonRetryableError: one attempt, its span ERROR with the error, the instance errored as the engine says, the run span ERROR', async () => {
    await get('/start?id=fatal1&mode=fatal');
    const status = await until('fatal1');
    expect(status.status).toBe('errored');
    expect(status.error?.message).toContain('NonRetryableError');
    const { calls, run, children } = await spansOf('fatal1', (c) => c.length >= 1);
    expect(calls.filter((c) => c === 'fatal fatal1')).toHaveLength(1); // retries: limit 5, none made
    expect(children.map((s) => s.name)).toEqual(['fatal']);
    const step = children[0]!;
    expect(step.kind).toBe(INTERNAL);
    expect(step.status).toMatchObject({ code: ERROR, message: 'stop now' });
    expect(step.events.find((e) => e.name === 'exception')!.attributes['exception.type']).toBe('NonRetryableError');
    expect(step.attributes).toMatchObject({ 'cloudflare.workflow.step.retries.limit': 5, 'cloudflare.workflow.step.attempt': 1 });
    expect(run.kind).toBe(SERVER);
    expect(run.status.code).toBe(ERROR);
  });

  test('concurrent steps and sleepUntil: the output unchanged, one span per step callback run, the sleeps events of the run span', async () => {
    await get('/start?id=ok1&mode=ok');
    const status = await until('ok1');
    expect(status).toMatchObject({ status: 'complete', output: 10 });
    const { calls, run, children } = await spansOf('ok1', (c) => c.length >= 4);
    const ran = calls.filter((c) => c.endsWith(' ok1')).map((c) => c.split(' ')[0]);
    expect(children.map((s) => s.name).sort()).toEqual([...ran].sort());
    expect(children.map((s) => s.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    const sleeps = run.events.filter((e) => e.name.startsWith('step.'));
    expect(sleeps.map((e) => [e.name, e.attributes['cloudflare.workflow.step.name']])).toEqual([
      ['step.sleep', 'nap'],
      ['step.sleepUntil', 'until'],
    ]);
    expect(typeof sleeps[1]!.attributes['cloudflare.workflow.sleepUntil']).toBe('number');
    expect(run.attributes['cloudflare.workflow.replayed_steps'] ?? 0).toBe(0);
  });
});
