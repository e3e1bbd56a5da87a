/**
 * instrument(class extends WorkflowEntrypoint) in-process: the `step` object run() receives is
 * the runtime's, its `do` traced, everything else working as it did (workerd's own behaviour is
 * in workerd-workflow.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, type ExecutionContext } from '../index.js';

/** Stands in for `WorkflowEntrypoint` from cloudflare:workers (instrument() goes by the name). */
class WorkflowEntrypoint {
  constructor(
    protected ctx: ExecutionContext,
    protected env: unknown,
  ) {}
}

/** A step whose methods need their own `this` (private fields), with a method and a property instrument() does not know. */
class RuntimeStep {
  #cache = new Map<string, unknown>();
  readonly kind = 'runtime';
  async do(name: string, a: unknown, b?: unknown): Promise<unknown> {
    if (this.#cache.has(name)) return this.#cache.get(name);
    const fn = (b ?? a) as (ctx: { attempt: number }) => Promise<unknown>;
    const v = await fn({ attempt: 1 });
    this.#cache.set(name, v);
    return v;
  }
  async sleep(_name: string, _d: number): Promise<void> {
    this.#cache.size; // throws a TypeError unless `this` is the step itself
  }
  custom(): number {
    return this.#cache.size;
  }
}

const fakeCtx = (): ExecutionContext & { pending: Promise<unknown>[] } => {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p) => void pending.push(p), passThroughOnException() {}, props: undefined };
};

describe('instrument(class extends WorkflowEntrypoint) in-process', () => {
  class Flow extends WorkflowEntrypoint {
    async run(event: { payload: { fail?: boolean } }, step: RuntimeStep): Promise<unknown> {
      const a = await step.do('a', async () => 1);
      await step.sleep('nap', 5);
      const again = await step.do('a', async () => 99); // cached: the first value
      if (event.payload.fail) throw new RangeError('run broke');
      return { a, again, custom: step.custom(), kind: step.kind };
    }
  }

  test('the runtime\'s step keeps working with its own `this` (private fields, methods not wrapped); run()\'s value and exception are its own; a step span, and the cached call counted', async () => {
    const { monitor, memory } = createTestMonitor();
    const I = instrument(Flow, monitor);
    const ctx = fakeCtx();
    const out = await new I(ctx, {}).run({ payload: {}, instanceId: 'i-1' } as never, new RuntimeStep());
    expect(out).toEqual({ a: 1, again: 1, custom: 1, kind: 'runtime' });
    await expect(new I(ctx, {}).run({ payload: { fail: true }, instanceId: 'i-2' } as never, new RuntimeStep())).rejects.toSatisfy((e) => e instanceof RangeError && e.message === 'run broke');
    await Promise.all(ctx.pending);
    const runs = memory.spans.filter((s) => s.name === 'Flow.run');
    expect(runs.map((r) => r.attributes['cloudflare.workflow.instance_id']).sort()).toEqual(['i-1', 'i-2']);
    const ok = runs.find((r) => r.attributes['cloudflare.workflow.instance_id'] === 'i-1')!;
    expect(ok.attributes['cloudflare.workflow.replayed_steps']).toBe(1);
    const steps = memory.spans.filter((s) => s.name === 'a');
    expect(steps).toHaveLength(2); // one per run, the cached calls none
    expect(steps.some((s) => s.parentSpanId === ok.spanId)).toBe(true);
    expect(runs.find((r) => r !== ok)!.status).toEqual({ code: 2, message: 'run broke' });
  });

  test('a run the engine aborts (run() rejects with its "Aborting engine: …", as on a pause) is no failure: no ERROR, no exception, the reason on the span; run() rejects with that very error; any other rejection is an ERROR (a null one too), an unreadable message no abort', async () => {
    const { monitor, memory } = createTestMonitor();
    class Paused extends WorkflowEntrypoint {
      async run(event: { payload: { err: unknown } }, step: { sleep(n: string, d: number): Promise<void> }): Promise<unknown> {
        await step.sleep('nap', 5);
        throw event.payload.err;
      }
    }
    const I = instrument(Paused, monitor);
    const ctx = fakeCtx();
    const pause = new Error('Aborting engine: User called pause');
    const unreadable = {
      get message(): string {
        throw new Error('no message');
      },
    };
    const outcomes = [];
    for (const [id, err] of [['p', pause], ['n', null], ['u', unreadable], ['o', new Error('Aborting the job')]] as const) {
      outcomes.push(await new I(ctx, {}).run({ payload: { err }, instanceId: id } as never, { sleep: async () => {} }).then(() => 'resolved', (e) => e === err));
    }
    expect(outcomes).toEqual([true, true, true, true]);
    await Promise.all(ctx.pending);
    const run = (id: string) => memory.spans.find((s) => s.name === 'Paused.run' && s.attributes['cloudflare.workflow.instance_id'] === id)!;
    expect(run('p').status.code).toBe(0);
    expect(run('p').events.map((e) => e.name)).toEqual(['step.sleep']);
    expect(run('p').attributes['error.type']).toBeUndefined();
    expect(run('p').attributes['cloudflare.workflow.abort_reason']).toBe('Aborting engine: User called pause');
    for (const id of ['n', 'o']) expect(run(id).status.code, id).toBe(2);
    for (const id of ['n', 'u', 'o']) expect(run(id).attributes['cloudflare.workflow.abort_reason'], id).toBeUndefined();
  });

  test('step.do(name, fn, undefined) is traced, as the engine runs fn; a frozen step (a test\'s) works, its read-only methods as they are', async () => {
    const { monitor, memory } = createTestMonitor();
    class Steps extends WorkflowEntrypoint {
      async run(_event: unknown, step: RuntimeStep): Promise<unknown> {
        return [await step.do('trailing', async () => 1, undefined), await step.sleep('nap', 1)];
      }
    }
    const I = instrument(Steps, monitor);
    const ctx = fakeCtx();
    expect(await new I(ctx, {}).run({ instanceId: 'a' } as never, new RuntimeStep())).toEqual([1, undefined]);
    const frozen = Object.freeze({ do: (_n: string, fn: () => unknown) => Promise.resolve(fn()), sleep: async () => {} });
    expect(await new I(ctx, {}).run({ instanceId: 'b' } as never, frozen as never)).toEqual([1, undefined]);
    await Promise.all(ctx.pending);
    expect(memory.spans.filter((s) => s.name === 'trailing')).toHaveLength(1); // the frozen step's do is its own, untraced
    expect(memory.spans.filter((s) => s.name === 'Steps.run')).toHaveLength(2);
  });
});
