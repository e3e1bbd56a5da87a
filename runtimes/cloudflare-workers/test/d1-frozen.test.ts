// A frozen D1 stand-in (as a test may hand one): its read-only own methods must be answered as
// they are, since a Proxy answering another value for one throws a TypeError into the app's call.
import { describe, expect, test } from 'vitest';
import { instrumentD1 } from '../src/d1.js';
import { createTestMonitor } from '../../../src/testing/index.js';

describe('instrumentD1 over a frozen stand-in', () => {
  test('prepare(...).bind(...).first() answers as the stand-in does, without the Proxy invariant TypeError; the untraced calls are counted as dropped', async () => {
    const seen: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d.message) });
    const stmt = Object.freeze({ bind: () => stmt, first: async () => ({ id: 1 }) });
    const db = Object.freeze({ prepare: (_sql: string) => stmt, exec: async () => ({ count: 0 }) });
    const traced = instrumentD1({ monitor, onCall: undefined }, 'DB', db) as typeof db;
    expect(traced.prepare).toBe(db.prepare);
    expect(await traced.prepare('SELECT 1').bind().first()).toEqual({ id: 1 });
    expect(await traced.exec()).toEqual({ count: 0 });
    await monitor.flush();
    const dropped = memory.getMetric('lexigram_monitor_dropped_total')?.points.find((p) => p.attributes.reason === 'internal_error') as { value: number } | undefined;
    expect(dropped?.value).toBeGreaterThanOrEqual(2); // prepare and exec, each read
    expect(seen.filter((m) => m.includes('read-only'))).toHaveLength(1);
  });
});
