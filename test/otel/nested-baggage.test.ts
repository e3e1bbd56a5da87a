/**
 * A request served nested inside another one (an app handing its incoming request to an
 * instrumented sub-app) continues the outer request's context: its baggage is the outer one as
 * the app holds it (members it added through the OpenTelemetry API included), not the header
 * read again.
 */
import { context, propagation } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { handleRequest } from '../../src/http/handle-request.js';
import { instrumentFetch } from '../../src/http/instrument-fetch.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

afterEach(() => unregisterOpenTelemetry());

it('a nested request keeps the outer baggage, with the members the app added, though its own header has baggage alone', async () => {
  const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const sent: (string | null)[] = [];
  const downstream = instrumentFetch(monitor, async (input) => {
    sent.push((input as Request).headers.get('baggage'));
    return new Response('ok');
  });
  const subApp = (request: Request) =>
    handleRequest(monitor, request, async () => {
      await downstream('https://api.example/y');
      return new Response('sub');
    }, undefined);
  const incoming = new Request('https://edge.example/x', { headers: { baggage: 'tenant=acme' } });
  await handleRequest(monitor, incoming, (request) => {
    const bag = (propagation.getBaggage(context.active()) ?? propagation.createBaggage()).setEntry('user', { value: '42' });
    return context.with(propagation.setBaggage(context.active(), bag), () => subApp(request));
  }, undefined);
  expect(sent).toEqual(['tenant=acme,user=42']);
});
