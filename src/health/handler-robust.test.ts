import { describe, expect, it } from 'vitest';
import { healthHandler } from './handler.js';
import { HealthCheckRegistry } from './registry.js';

const get = (path: string) => new Request(`http://svc.local${path}`);

describe('healthHandler: a check result JSON cannot carry never breaks /health', () => {
  it('details with a BigInt, a cycle or a throwing toJSON: 200 with the rest of the report, never a rejection', async () => {
    const cycle: Record<string, unknown> = { pool: 5 };
    cycle.self = cycle;
    const registry = new HealthCheckRegistry()
      .register('rows', () => ({ status: 'healthy', details: { rows: 10n } as Record<string, unknown> }))
      .register('cycle', () => ({ status: 'degraded', details: cycle }))
      .register('tojson', () => ({ status: 'healthy', details: { toJSON: () => { throw new Error('no'); } } }))
      .register('fine', () => ({ status: 'healthy', details: { version: '1.2' } }));
    const health = healthHandler(registry, { details: 'full' });
    const res = (await health(get('/health')))!;
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('warn');
    expect(body.checks.fine[0].details).toEqual({ version: '1.2' });
    expect(body.checks.cycle[0].status).toBe('warn');
    for (const name of ['rows', 'cycle', 'tojson']) expect(body.checks[name][0].details).toEqual({ error: 'details are not serialisable as JSON' });
  });
});

describe('healthHandler: paths are configuration, checked at construction', () => {
  it('a path, livenessPath or readinessPath not starting with "/" throws naming the option', () => {
    const registry = new HealthCheckRegistry();
    expect(() => healthHandler(registry, { path: 'health' })).toThrow(/path.*"\/"/);
    expect(() => healthHandler(registry, { livenessPath: 'live' })).toThrow(/livenessPath/);
    expect(() => healthHandler(registry, { readinessPath: '' })).toThrow(/readinessPath/);
    expect(() => healthHandler(registry, { path: '/h', livenessPath: '/live', readinessPath: '/ready' })).not.toThrow();
  });
});
