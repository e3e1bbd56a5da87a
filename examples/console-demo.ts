/**
 * A few spans, metrics and logs printed by the console backend: what a new user sees
 * without any collector. Run with `npm run example`.
 */
import { createMonitor, SpanKind, SpanStatus } from '../src/index.js';

const monitor = createMonitor({ serviceName: 'demo', serviceVersion: '1.0.0', logging: { level: 'debug' } });
const requests = monitor.metrics.createCounter('demo_requests_total', 'Requests handled', { labelNames: ['route', 'status'] });
const latency = monitor.metrics.createHistogram('demo_request_duration_seconds', 'Request latency', { unit: 's', labelNames: ['route'] });

async function handle(route: string, fail = false): Promise<void> {
  const scope = monitor.openScope({ name: route });
  await scope.run(() =>
    monitor.tracer.startActiveSpan(`GET ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.route': route } }, async (span) => {
      const end = latency.startTimer({ route });
      await monitor.tracer.startActiveSpan('db.query', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'sqlite' } }, async () => {
        await new Promise((r) => setTimeout(r, 5));
      });
      monitor.logger.info('handled request', { route, apiKey: 'never printed' });
      if (fail) span.setStatus(SpanStatus.ERROR, 'upstream timeout');
      requests.increment(1, { route, status: fail ? '500' : '200' });
      end();
    }),
  );
  await scope.close();
}

await handle('/users/:id');
await handle('/orders', true);
await monitor.shutdown();
