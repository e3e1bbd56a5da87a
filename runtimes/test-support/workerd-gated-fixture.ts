/**
 * The Workers adapter's test Worker (runtimes/cloudflare-workers/test/fixtures/worker.ts) with
 * its exports held at a gate: `EXPORT_GATE_URL` names the gate server, and requests to
 * `OTEL_EXPORTER_OTLP_ENDPOINT` wait there (see export-gate.ts). Without `EXPORT_GATE_URL` it is
 * the fixture as it is.
 */
import { withExportGate } from './export-gate.js';
import worker, { CounterDO } from '../cloudflare-workers/test/fixtures/worker.js';

const gated: { [handler: string]: unknown; fetch(request: Request, env: never, ctx: never): unknown } = withExportGate(
  worker,
  (env: { EXPORT_GATE_URL?: string; OTEL_EXPORTER_OTLP_ENDPOINT?: string }) =>
    env.EXPORT_GATE_URL && env.OTEL_EXPORTER_OTLP_ENDPOINT ? { url: env.EXPORT_GATE_URL, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : undefined,
);
export { CounterDO };
export default gated;
