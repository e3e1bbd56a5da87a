import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpCheck } from './http-check.js';
import { HealthCheckRegistry } from './registry.js';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// Node's fetch (undici) rejects with "fetch failed" whatever went wrong, the reason (refused, DNS,
// TLS) in its `cause`: /health and the alert said "fetch failed" for every outage.
describe('a check that throws an error with a cause reports the cause too', () => {
  it("httpCheck and a function check calling fetch against a closed port: 'fetch failed: connect ECONNREFUSED …'", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/health`;
    const report = await new HealthCheckRegistry()
      .register('api', httpCheck(url))
      .register('fn', async () => (await fetch(url)).ok)
      .checkAll();
    for (const name of ['api', 'fn']) {
      expect(report.checks[name].status).toBe('unhealthy');
      expect(report.checks[name].error).toMatch(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    }
  });

  it('a cause already in the message, a cause without a message, or none: the message alone', async () => {
    const report = await new HealthCheckRegistry()
      .register('same', () => { throw new Error('db down: timeout', { cause: new Error('timeout') }); })
      .register('empty', () => { throw new Error('db down', { cause: 'x' }); })
      .register('none', () => { throw new Error('db down'); })
      .register('wrapped', () => { throw new Error('query failed', { cause: { message: 'relation "users" does not exist' } }); })
      .register('odd', () => { throw new Error('db down', { cause: Object.defineProperty({}, 'message', { get: () => { throw new Error('no'); } }) }); })
      .checkAll();
    expect(report.checks.same.error).toBe('db down: timeout');
    expect(report.checks.empty.error).toBe('db down');
    expect(report.checks.none.error).toBe('db down');
    expect(report.checks.odd.error).toBe('db down');
    expect(report.checks.wrapped.error).toBe('query failed: relation "users" does not exist');
  });
});
