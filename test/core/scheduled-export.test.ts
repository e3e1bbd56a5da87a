// Spans and logs that end outside any scope (background work, a timer, a script) are exported
// without anyone calling flush(): after `exportDelayMs`, or at once when a batch of 512 waits.
import { describe, expect, it, vi } from 'vitest';
import { configFromEnv, createMonitor } from '../../src/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nothing is left waiting: no further export within `ms`. */
async function expectNoFurtherExport(memory: { exports: number }, ms: number): Promise<void> {
  const exports = memory.exports;
  await sleep(ms);
  expect(memory.exports).toBe(exports);
}

describe('scheduled export of what ends outside scopes', () => {
  it('spans and logs leave exportDelayMs after the first of them, metric changes with them', async () => {
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 30 });
    monitor.tracer.startSpan('background job').end();
    monitor.logger.info('job done');
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment();
    expect(memory.spans).toHaveLength(0);
    await sleep(80);
    expect(memory.spans.map((s) => s.name)).toEqual(['background job']);
    expect(memory.logs.map((l) => l.body)).toEqual(['job done']);
    expect(memory.getMetric('jobs_total')).toBeDefined();
    await expectNoFurtherExport(memory, 60);
    await monitor.shutdown();
  });

  it('512 waiting spans start an export at once', async () => {
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000 });
    for (let i = 0; i < 511; i++) monitor.tracer.startSpan(`s${i}`).end();
    await sleep(0);
    expect(memory.spans).toHaveLength(0);
    monitor.tracer.startSpan('s511').end();
    await sleep(0);
    expect(memory.spans).toHaveLength(512);
    await monitor.shutdown();
  });

  it('flush() and a closing scope take the waiting data and disarm the timer', async () => {
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 30 });
    monitor.tracer.startSpan('outside').end();
    const scope = monitor.openScope({ name: 'request' });
    await scope.close();
    expect(memory.spans.map((s) => s.name)).toEqual(['outside']);
    await expectNoFurtherExport(memory, 80);
    await monitor.shutdown();
  });

  it('exportDelayMs: 0 leaves them for the next scope or flush()', async () => {
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 0 });
    monitor.tracer.startSpan('outside').end();
    await sleep(50);
    expect(memory.spans).toHaveLength(0);
    await monitor.flush();
    expect(memory.spans).toHaveLength(1);
  });

  it('is read from OTEL_BSP_SCHEDULE_DELAY, and a bad value is a clear error or warning', () => {
    expect(configFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '2000' }).exportDelayMs).toBe(2000);
    const warnings: string[] = [];
    expect(configFromEnv({ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, { onWarning: (w) => warnings.push(w) }).exportDelayMs).toBeUndefined();
    expect(warnings.join()).toContain('OTEL_BSP_SCHEDULE_DELAY');
    expect(() => createMonitor({ exportDelayMs: -1 })).toThrow(/exportDelayMs.*≥ 0/);
  });
});

describe('batchWindowMs: scopes closing within the window of the last export leave together', () => {
  function request(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string) {
    const scope = monitor.openScope({ name });
    scope.run(() => monitor.tracer.startSpan(name).end());
    return scope.close();
  }

  it('the first scope exports at once; the next ones wait for the window and share one export', async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 40 });
    await request(monitor, 'r1');
    expect(memory.exports).toBe(1);
    const waiting = [request(monitor, 'r2'), request(monitor, 'r3'), request(monitor, 'r4')];
    await sleep(0);
    expect(memory.spans.map((s) => s.name)).toEqual(['r1']);
    const results = await Promise.all(waiting);
    expect(memory.exports).toBe(2);
    expect(memory.spans.map((s) => s.name)).toEqual(['r1', 'r2', 'r3', 'r4']);
    // The first waiting scope's promise carried the export; the others found the buffer empty.
    expect(results.map((r) => r.spans)).toEqual([3, 0, 0]);
    // A scope after a quiet window exports at once again.
    await sleep(50);
    await request(monitor, 'r5');
    expect(memory.exports).toBe(3);
  });

  it('a caller that awaits each request before the next waits a turn, not the window', async () => {
    vi.useFakeTimers();
    try {
      const { monitor, memory } = createTestMonitor({ batchWindowMs: 20_000 });
      await request(monitor, 'r1');
      const second = request(monitor, 'r2');
      // No other request starts meanwhile: the carrier exports after its first 1 ms wait.
      await vi.advanceTimersByTimeAsync(1);
      expect((await second).spans).toBe(1);
      expect(memory.spans.map((s) => s.name)).toEqual(['r1', 'r2']);
      // Requests that keep arriving keep the carrier waiting, 2 ms at a time, within the window;
      // a stall shorter than 10 ms does not end the batch, 10 ms without a request does.
      const third = request(monitor, 'r3');
      let settled = false;
      void third.then(() => (settled = true));
      for (let i = 0; i < 5; i++) {
        void request(monitor, `r${4 + i}`);
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(6);
      void request(monitor, 'r9');
      await vi.advanceTimersByTimeAsync(6);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(6);
      expect(settled).toBe(true);
      expect((await third).spans).toBe(7);
    } finally {
      vi.useRealTimers();
    }
  });

  it('requests that start together and end one by one, 3 ms apart, leave together', async () => {
    vi.useFakeTimers(); // timers advanced by hand: a loaded machine's slow timers change nothing
    try {
      const { monitor, memory } = createTestMonitor({ batchWindowMs: 2000 });
      const scopes = Array.from({ length: 20 }, (_, i) => monitor.openScope({ name: `r${i}` }));
      const waits: Promise<unknown>[] = [];
      for (const [i, scope] of scopes.entries()) {
        scope.run(() => monitor.tracer.startSpan(`r${i}`).end());
        waits.push(scope.close());
        await vi.advanceTimersByTimeAsync(3);
      }
      await vi.advanceTimersByTimeAsync(20);
      await Promise.all(waits);
      // The first exports at once; the 19 others, ending within the window, in one more.
      expect(memory.exports).toBe(2);
      expect(memory.spans).toHaveLength(20);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a request merely still open (a stream) does not hold a lone request\'s export for the window', async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 2000 });
    await request(monitor, 'first');
    const streaming = monitor.openScope({ name: 'stream' }); // open for the whole test
    const second = request(monitor, 'second');
    // Settles once the carrier saw 10 ms without a request starting or ending, not after the 2 s window.
    expect(await Promise.race([second.then(() => 'exported'), sleep(1000).then(() => 'still waiting')])).toBe('exported');
    expect(memory.spans.map((s) => s.name)).toEqual(['first', 'second']);
    void streaming.close();
  });

  it('512 waiting spans leave at once, without waiting for the window', async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 20_000 });
    await request(monitor, 'first');
    const scope = monitor.openScope({ name: 'big' });
    scope.run(() => {
      for (let i = 0; i < 512; i++) monitor.tracer.startSpan(`s${i}`).end();
    });
    const r = await scope.close();
    expect(r.spans).toBe(512);
    expect(memory.spans).toHaveLength(513);
  });

  it('shutdown() exports what waits for a window', async () => {
    const { monitor, memory } = createTestMonitor({ batchWindowMs: 20_000 });
    await request(monitor, 'first');
    void request(monitor, 'second');
    await monitor.shutdown();
    expect(memory.spans.map((s) => s.name)).toEqual(['first', 'second']);
  });

  it('a window outside 0..25000 ms is a configuration error', () => {
    expect(() => createMonitor({ batchWindowMs: 30_000 })).toThrow(/batchWindowMs.*0 to 25000/);
    expect(() => createMonitor({ batchWindowMs: Number.NaN })).toThrow(/batchWindowMs/);
  });
});

describe('batchWindowMs in a script', () => {
  it('awaiting a waiting scope keeps the process alive until its export (the timer is not unref’d)', async () => {
    // A unref'd timer would let Node exit with the promise unsettled (exit code 13 for a
    // top-level await). Run a script that only awaits the scope's close().
    const { execFileSync } = await import('node:child_process');
    const { build } = await import('esbuild');
    const { join } = await import('node:path');
    const out = join(process.cwd(), '.tmp', 'batch-window-script.mjs');
    await build({
      stdin: {
        contents: `
          import { createMonitor, MemoryBackend } from './src/index.ts';
          const memory = new MemoryBackend();
          const monitor = createMonitor({ serviceName: 's', batchWindowMs: 200, backends: [memory] });
          await monitor.openScope().close();
          const scope = monitor.openScope();
          scope.run(() => monitor.tracer.startSpan('late').end());
          await scope.close();
          console.log(JSON.stringify(memory.spans.map((s) => s.name)));
        `,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'silent',
    });
    expect(execFileSync(process.execPath, [out], { encoding: 'utf8' }).trim()).toBe('["late"]');
  });
});

describe('exportDelayMs beyond what a timer honours is clamped to 2^31-1 ms, not fired at once', () => {
  for (const [name, options] of [
    ['3e9 ms', { exportDelayMs: 3_000_000_000 }],
    ['Infinity', { exportDelayMs: Infinity }],
    ['OTEL_BSP_SCHEDULE_DELAY=99999999999', configFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '99999999999' })],
  ] as const) {
    it(name, async () => {
      const { monitor, memory } = createTestMonitor(options);
      monitor.logger.info('outside any scope');
      await sleep(50);
      expect(memory.logs).toHaveLength(0);
      await monitor.flush();
      expect(memory.logs).toHaveLength(1);
    });
  }
});
