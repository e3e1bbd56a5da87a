import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

async function logged(attributes: Record<string, unknown>) {
  const { monitor, memory } = createTestMonitor();
  monitor.logger.info('msg', attributes);
  await monitor.flush();
  const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
  const drops = Object.fromEntries((dropped?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
  return { attrs: memory.logs[0]!.attributes as Record<string, unknown>, drops };
}

describe('log attribute values that JSON writes by their own rule', () => {
  it('a URL is its href and an object with toJSON is what toJSON gives (they were {}: the value was lost)', async () => {
    const decimal = { toJSON: () => '12.50', cents: 1250 };
    const { attrs } = await logged({ url: new URL('https://shop.example/cart?id=7'), price: decimal, at: { when: new URL('https://a.example/') } });
    expect(attrs.url).toBe('https://shop.example/cart?id=7');
    expect(attrs.price).toBe('12.50');
    expect(attrs.at).toEqual({ when: 'https://a.example/' });
  });

  it('Headers and URLSearchParams keep their entries, and a secret among them is redacted by its key', async () => {
    const headers = new Headers({ 'content-type': 'text/plain', authorization: 'Bearer abc.def' });
    const { attrs } = await logged({ headers, query: new URLSearchParams('page=2&q=shoes') });
    expect(attrs.headers).toEqual({ 'content-type': 'text/plain', authorization: '[REDACTED]' });
    expect(attrs.query).toEqual({ page: '2', q: 'shoes' });
  });

  it('typed arrays other than Uint8Array are lists of numbers (they were maps of index to number)', async () => {
    const { attrs } = await logged({ samples: new Float64Array([1.5, 2.5]), ids: new Int32Array([3, -4]) });
    expect(attrs.samples).toEqual([1.5, 2.5]);
    expect(attrs.ids).toEqual([3, -4]);
  });
});

describe('a log value that shares one object at many places', () => {
  it('is written up to a bound and cut after it, counted, instead of walking every path (8 levels of 8 keys sharing one child were 16 million objects)', async () => {
    let node: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 8; level++) {
      const up: Record<string, unknown> = {};
      for (let k = 0; k < 8; k++) up[`k${k}`] = node;
      node = up;
    }
    const { attrs, drops } = await logged({ tree: node, plain: 'kept' });
    expect(attrs.plain).toBe('kept');
    expect(JSON.stringify(attrs.tree)).toContain('[Truncated]');
    expect(drops.attribute_truncated).toBe(1);
  });
});

describe('a span attribute whose value is an object with toJSON', () => {
  it('a URL becomes its href as text, without the quotes of a JSON literal', async () => {
    const { monitor, memory } = createTestMonitor();
    const span = monitor.tracer.startSpan('fetch');
    span.setAttribute('target', new URL('https://api.example/v1') as never);
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.attributes.target).toBe('https://api.example/v1');
  });
});

describe('exception attributes a record gives itself', () => {
  it('win over the error’s, as in sdk-logs: only the missing ones come from the error (a given message was replaced by the error’s; a given type dropped the message and stack)', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new Error('card 4111 1111 1111 1111 declined');
    monitor.logger.error(err, { 'exception.message': 'card declined' });
    monitor.logger.error(err, { 'exception.type': 'PaymentError' });
    await monitor.flush();
    const [cleaned, typed] = memory.logs.map((l) => l.attributes as Record<string, unknown>);
    expect(cleaned).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'card declined' });
    expect(cleaned!['exception.stacktrace']).toContain('Error: card');
    expect(typed).toMatchObject({ 'exception.type': 'PaymentError', 'exception.message': 'card 4111 1111 1111 1111 declined' });
    expect(typed!['exception.stacktrace']).toBeTypeOf('string');
  });
});
