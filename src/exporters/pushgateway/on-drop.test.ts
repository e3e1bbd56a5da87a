import { describe, expect, it } from 'vitest';
import { unhandledRejections } from '../../../test/helpers/unhandled-rejections.js';
import { createTestMonitor } from '../../testing/index.js';
import { batch, recording } from '../../../test/pushgateway/helpers/recording.js';
import { PushgatewayBackend } from './backend.js';

// A throwing onDrop failed the whole push (every metric lost for one left out); a non-function one
// was accepted and did the same at the first drop.
describe('PushgatewayBackend: onDrop is a user callback', () => {
  const unhandled = unhandledRejections();

  it('one that throws loses no push: the rest is pushed, the drop counted, its failure in the error', async () => {
    const told: string[] = [];
    const { push, bodies } = recording({
      onDrop: (d) => {
        told.push(d.metric);
        throw new Error('user bug');
      },
    });
    const { monitor } = createTestMonitor();
    monitor.metrics.createCounter('good', 'fine').increment(5);
    monitor.metrics.createGauge('push_time_seconds', 'the gateway\'s own').set(1);
    const result = await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })));
    expect(result).toMatchObject({ ok: true, rejected: { dataPoints: 1 } });
    expect(result.error).toMatch(/push_time_seconds.*; the onDrop option threw: Error: user bug$/);
    expect(bodies[0]).toContain('good_total 5\n');
    expect(told).toEqual(['push_time_seconds']);
  });

  it('one that rejects: the push goes, nothing is left unhandled', async () => {
    const { push, bodies } = recording({ onDrop: async () => Promise.reject(new Error('async user bug')) });
    const { monitor } = createTestMonitor();
    monitor.metrics.createCounter('good', 'fine').increment(5);
    monitor.metrics.createGauge('push_time_seconds', 'x').set(1);
    expect(await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })))).toMatchObject({ ok: true, rejected: { dataPoints: 1 } });
    expect(bodies[0]).toContain('good_total 5\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  });
});

describe('PushgatewayBackend configuration errors say what to change', () => {
  const base = { url: 'http://pgw.local:9091', job: 'j' };
  it('an onDrop that is not a function', () => {
    expect(() => new PushgatewayBackend({ ...base, onDrop: 'log' as never })).toThrow('PushgatewayBackend option "onDrop" must be a function (dropped) => void, or left out, got "log"');
  });

  it('a header whose value is not a string (an unset env var): named, its value never shown', () => {
    expect(() => new PushgatewayBackend({ ...base, headers: { authorization: undefined as never } })).toThrow(
      'PushgatewayBackend option "headers" has "authorization" with a value that is not a string (undefined); leave the header out when it has no value',
    );
    expect(() => new PushgatewayBackend({ ...base, headers: { 'x-tenant': 42 as never } })).toThrow(/"x-tenant" with a value that is not a string \(42\)/);
  });
});
