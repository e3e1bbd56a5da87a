/**
 * A Logs API record whose severityText, eventName or attributes are not of the API's types: the
 * value is left out and every such drop is counted (DESIGN §5), the record itself kept.
 */
import { logs } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

function setup() {
  const { monitor, memory } = createTestMonitor();
  registerOpenTelemetry(monitor, { logs });
  return { monitor, memory, logger: logs.getLogger('l') };
}

describe('a Logs API record with a field that is not of its type', () => {
  it('a severityText that is not a string is left out and counted (invalid_value)', async () => {
    const { monitor, memory, logger } = setup();
    logger.emit({ body: 'a', severityNumber: 9, severityText: 42 as never });
    logger.emit({ body: 'b', severityNumber: 9, severityText: { level: 'INFO' } as never });
    expect(dropped(monitor)).toEqual({ invalid_value: 2 });
    await monitor.flush();
    expect(memory.logs.map((r) => [r.body, r.severityText])).toEqual([
      ['a', ''],
      ['b', ''],
    ]);
  });

  it('an eventName that is not a string is left out and counted (invalid_value)', async () => {
    const { monitor, memory, logger } = setup();
    logger.emit({ body: 'a', eventName: 7 as never });
    expect(dropped(monitor)).toEqual({ invalid_value: 1 });
    await monitor.flush();
    expect(memory.logs).toHaveLength(1);
    expect(memory.logs[0].eventName).toBeUndefined();
  });

  it('absent (undefined or null) severityText and eventName are not counted', () => {
    const { monitor, logger } = setup();
    logger.emit({ body: 'a', severityText: undefined, eventName: undefined });
    logger.emit({ body: 'b', severityText: null as never, eventName: null as never });
    expect(dropped(monitor)).toEqual({});
  });

  it('an array as attributes gives no "0", "1" keys: dropped and counted, the record kept', async () => {
    const { monitor, memory, logger } = setup();
    logger.emit({ body: 'a', attributes: ['x', 'y'] as never });
    expect(dropped(monitor)).toEqual({ invalid_value: 1 });
    await monitor.flush();
    expect(memory.logs).toHaveLength(1);
    expect(memory.logs[0].attributes).toEqual({});
  });

  it("attributes that are not an object do not cost the record's exception.* attributes", async () => {
    const { monitor, memory, logger } = setup();
    logger.emit({ body: 'a', attributes: 'user 42' as never, exception: new TypeError('bad input') });
    logger.emit({ body: 'b', attributes: [1] as never, exception: new TypeError('bad input') });
    expect(dropped(monitor)).toEqual({ invalid_value: 2 });
    await monitor.flush();
    for (const r of memory.logs) expect(r.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
  });
});
