// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { afterAll, test } from 'bun:test';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.js';
import { instrument } from '../index.js';
import { sigtermScenario } from '../../test-support/sigterm.js';

declare const Bun: any;

const bun: RuntimeUnderTest = {
  name: 'bun',
  protocol: 'http/json',
  async start(handler, monitor) {
    const h = instrument(handler, monitor);
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
    return { url: `http://127.0.0.1:${server.port}`, flush: () => h.flush(), stop: async () => void server.stop(true) };
  },
};

afterAll(() => untraceGlobalFetch());
for (const s of scenarios(bun)) test(s.name, () => s.run(), 30_000);

test('bun: flushOnExit flushes pending telemetry on SIGTERM, then exits by the signal', () =>
  sigtermScenario(process.execPath, ['run', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]), 30_000);
