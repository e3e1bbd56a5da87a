/**
 * The workerd reliability Worker (worker.ts) with its exports held at a gate: `EXPORT_GATE_URL`
 * names the gate server, and requests to `OTLP_URL` wait there until the test opens it (see
 * runtimes/test-support/export-gate.ts). The receiver's fault applies once a request leaves.
 */
import { withExportGate } from '../../../runtimes/test-support/export-gate.js';
import worker from './worker.js';

const gated: { fetch(request: Request, env: never, ctx: never): Promise<Response> } = withExportGate(worker, (env: { EXPORT_GATE_URL?: string; OTLP_URL: string }) =>
  env.EXPORT_GATE_URL ? { url: env.EXPORT_GATE_URL, endpoint: env.OTLP_URL } : undefined,
);
export default gated;
