import type { TelemetryBatch } from '../../../src/model/batch.js';
import type { MetricsSnapshot } from '../../../src/model/metric-data.js';
import { PushgatewayBackend } from '../../../src/exporters/pushgateway/backend.js';

/** A batch holding only `metrics`, as the monitor hands a Pushgateway backend. */
export const batch = (metrics: MetricsSnapshot): TelemetryBatch => ({ resource: { attributes: {} }, scope: { name: 't' }, spans: [], logs: [], metrics });

/** A PushgatewayBackend whose pushes are answered 200 and kept, body by body. */
export function recording(options: Partial<ConstructorParameters<typeof PushgatewayBackend>[0]> = {}) {
  const bodies: string[] = [];
  const push = new PushgatewayBackend({
    url: 'http://pgw.local:9091',
    job: 'nightly',
    fetch: async (_url, init) => {
      bodies.push(String(init.body));
      return new Response('', { status: 200 });
    },
    ...options,
  });
  return { push, bodies };
}
