import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../../src/testing/index.js';
import { getActiveScope, getActiveSpan } from '../../src/index.js';

// A small deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe('scopes under concurrency', () => {
  it('1000 interleaved async scopes with random awaits never see each other’s spans or logs', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    const rand = rng(42);
    const pause = () => (rand() < 0.5 ? Promise.resolve() : new Promise((r) => setTimeout(r, Math.floor(rand() * 3))));
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const scope = monitor.openScope({ name: `req-${i}` });
        await scope.run(() =>
          monitor.tracer.startActiveSpan(`root-${i}`, async (root) => {
            await pause();
            expect(getActiveScope()).toBe(scope);
            expect(getActiveSpan()).toBe(root);
            await monitor.tracer.startActiveSpan(`child-${i}`, async () => {
              await pause();
              monitor.logger.info(`log-${i}`, { i });
              await pause();
            });
            monitor.tracer.startSpan(`leaf-${i}`).end();
          }),
        );
        return { i, scope, rootId: scope.spans.find((s) => s.name === `root-${i}`)?.spanId, result: scope.close() };
      }),
    );
    await Promise.all(results.map((r) => r.result));
    expect(memory.spans).toHaveLength(3000);
    expect(memory.logs).toHaveLength(1000);
    let mixed = 0;
    for (const { i, scope } of results) {
      const names = scope.spans.map((s) => s.name).sort();
      if (names.join() !== [`child-${i}`, `leaf-${i}`, `root-${i}`].join()) mixed++;
      if (scope.logs.length !== 1 || scope.logs[0].body !== `log-${i}`) mixed++;
      const root = scope.spans.find((s) => s.name === `root-${i}`)!;
      for (const s of scope.spans) if (s.traceId !== root.traceId) mixed++;
      const child = scope.spans.find((s) => s.name === `child-${i}`)!;
      if (child.parentSpanId !== root.spanId) mixed++;
      if (scope.logs[0].spanId !== child.spanId) mixed++;
    }
    expect(mixed).toBe(0);
  });
});
