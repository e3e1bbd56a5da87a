/**
 * A frozen `step` (a test's stand-in for the Workflows engine's): only its read-only own methods
 * must be answered as they are (a Proxy answering another value throws); those go untraced and
 * are counted as dropped. A frozen object whose methods are its class's is traced as any step.
 */
import { expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, type ExecutionContext } from '../index.js';

class WorkflowEntrypoint {
  constructor(
    protected ctx: ExecutionContext,
    protected env: unknown,
  ) {}
}
class ClassStep {
  async do(_name: string, fn: () => unknown): Promise<unknown> {
    return fn();
  }
}

test('a frozen class instance as step: its do is traced (it ran untraced); a frozen plain step\'s own do is untraced and counted as dropped (it was lost without a count)', async () => {
  const seen: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d.message) });
  class Steps extends WorkflowEntrypoint {
    async run(_event: unknown, step: ClassStep): Promise<unknown> {
      return step.do('one', async () => 1);
    }
  }
  const I = instrument(Steps, monitor) as unknown as new (ctx: unknown, env: unknown) => { run(e: unknown, s: unknown): Promise<unknown> };
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) };
  expect(await new I(ctx, {}).run({ instanceId: 'a' }, Object.freeze(new ClassStep()))).toBe(1);
  expect(await new I(ctx, {}).run({ instanceId: 'b' }, Object.freeze({ do: (_n: string, fn: () => unknown) => Promise.resolve(fn()) }))).toBe(1);
  await Promise.all(pending);
  await monitor.flush();
  expect(memory.spans.filter((s) => s.name === 'one')).toHaveLength(1);
  const dropped = memory.getMetric('lexigram_monitor_dropped_total')?.points.find((p) => p.attributes.reason === 'internal_error') as { value: number } | undefined;
  expect(dropped?.value).toBe(1);
  expect(seen.filter((m) => m.includes('read-only'))).toHaveLength(1);
});
