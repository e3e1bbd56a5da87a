import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';

describe('a check that throws something other than an Error', () => {
  it('reports the message of a plain error object, not "the check failed"', async () => {
    const r = new HealthCheckRegistry()
      .register('db', () => {
        throw { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.3:5432' };
      })
      .register('odd', () => {
        throw Object.defineProperty({}, 'message', { get: () => { throw new Error('no'); } });
      })
      .register('plain', () => {
        throw new Error('boom');
      });
    const report = await r.checkAll();
    expect(report.checks.db).toMatchObject({ status: 'unhealthy', error: 'connect ECONNREFUSED 10.0.0.3:5432' });
    expect(report.checks.odd).toMatchObject({ status: 'unhealthy', error: 'the check failed' });
    expect(report.checks.plain).toMatchObject({ status: 'unhealthy', error: 'boom' });
  });
});
