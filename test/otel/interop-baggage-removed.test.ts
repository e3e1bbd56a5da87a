/**
 * Baggage lives in the context (OpenTelemetry's model): a span started through the API in a
 * context whose baggage was removed or replaced (`propagation.deleteBaggage`, `setBaggage`)
 * carries that context's baggage, not its parent span's. An app that strips a user id from the
 * baggage before calling a third party must not have the monitor's fetch instrumentation send it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extractContext, instrumentFetch, setContextStorage, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

/** A traced fetch (the monitor's CLIENT span and header injection) and the baggage header each call sent. */
function baggageSent(monitor: Monitor) {
  const sent: (string | null)[] = [];
  const fetch = instrumentFetch(monitor, async (input, init) => {
    sent.push(new Request(input, init).headers.get('baggage'));
    return new Response('ok');
  });
  return { fetch, sent };
}

const INCOMING = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'user.id=alice,tenant=t1' };

describe('an API span in a context whose baggage was changed', () => {
  it('an outgoing fetch under it sends the baggage of its context: none once deleted, the new one once replaced', async () => {
    const { monitor } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const { fetch, sent } = baggageSent(monitor);
    const tracer = trace.getTracer('app');
    const scope = monitor.openScope({ name: 'req' });
    await scope.run(() =>
      monitor.tracer.startActiveSpan('server', { parent: extractContext(INCOMING)! }, async () => {
        await tracer.startActiveSpan('kept', async (s) => {
          await fetch('https://internal.example/');
          s.end();
        });
        await context.with(propagation.deleteBaggage(context.active()), () =>
          tracer.startActiveSpan('stripped', async (s) => {
            await fetch('https://third-party.example/');
            s.end();
          }),
        );
        const only = propagation.createBaggage({ tenant: { value: 't1' } });
        await context.with(propagation.setBaggage(context.active(), only), () =>
          tracer.startActiveSpan('replaced', async (s) => {
            await fetch('https://partner.example/');
            s.end();
          }),
        );
      }),
    );
    await scope.close();
    expect(sent).toEqual(['user.id=alice,tenant=t1', null, 'tenant=t1']);
    await monitor.shutdown();
  });

  it('a fetch made directly under such a context (the monitor’s own CLIENT span, no API span between) sends that context’s baggage too', async () => {
    const { monitor } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const { fetch, sent } = baggageSent(monitor);
    const scope = monitor.openScope({ name: 'req' });
    await scope.run(() =>
      monitor.tracer.startActiveSpan('server', { parent: extractContext(INCOMING)! }, async () => {
        await context.with(propagation.deleteBaggage(context.active()), () => fetch('https://third-party.example/'));
        const only = propagation.createBaggage({ tenant: { value: 't1' } });
        await context.with(propagation.setBaggage(context.active(), only), () => fetch('https://partner.example/'));
        await fetch('https://internal.example/');
      }),
    );
    await scope.close();
    expect(sent).toEqual([null, 'tenant=t1', 'user.id=alice,tenant=t1']);
    await monitor.shutdown();
  });
});
