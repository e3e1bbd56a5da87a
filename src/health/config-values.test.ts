import { describe, expect, it } from 'vitest';
import { healthHandler } from './handler.js';
import { HealthCheckRegistry, type HealthRegisterOptions } from './registry.js';

const get = (path: string) => new Request(`http://svc.local${path}`);

// A livenessPath equal to `path` answered pass there without running the checks: a failing
// critical check was hidden behind 200 (and a livenessPath equal to readinessPath did the same).
describe('healthHandler: each path must be its own', () => {
  const failing = () => new HealthCheckRegistry().register('db', () => false);

  it('livenessPath equal to path throws, saying to give it its own path', () => {
    expect(() => healthHandler(failing(), { livenessPath: '/health' })).toThrow(
      'healthHandler option "livenessPath" is "/health", the same as "path", where it would answer pass without running the checks; give it a path of its own, such as "/live"',
    );
    expect(() => healthHandler(failing(), { path: '/healthz', livenessPath: '/healthz' })).toThrow(/"livenessPath" is "\/healthz", the same as "path"/);
  });

  it('readinessPath equal to path, or livenessPath equal to readinessPath, throws', () => {
    expect(() => healthHandler(failing(), { readinessPath: '/health' })).toThrow(/option "readinessPath" is "\/health", the same as "path"; leave it out/);
    expect(() => healthHandler(failing(), { livenessPath: '/ready', readinessPath: '/ready' })).toThrow(
      'healthHandler options "livenessPath" and "readinessPath" are both "/ready", where the checks would never run; give each a path of its own, such as "/live" and "/ready"',
    );
  });

  it('distinct paths still work: /health fails, /live passes', async () => {
    const health = healthHandler(failing(), { livenessPath: '/live', readinessPath: '/ready' });
    expect((await health(get('/health')))!.status).toBe(503);
    expect((await health(get('/ready')))!.status).toBe(503);
    expect((await health(get('/live')))!.status).toBe(200);
  });
});

// `critical: 'false'` (from an env var) was read as critical: the optional check it was meant
// to be failed the whole service.
describe('health.register: option values are checked when the check is registered', () => {
  const register = (o: object) => () => new HealthCheckRegistry().register('cache', () => false, o as HealthRegisterOptions);

  it('a critical that is not a boolean throws', () => {
    expect(register({ critical: 'false' })).toThrow('health check "cache": critical must be true or false, got "false"');
    expect(register({ critical: 0 })).toThrow(/critical must be true or false, got 0/);
    expect(register({ critical: null })).toThrow(/critical must be true or false, got null/);
  });

  it('a timeoutSeconds given as text says it is text', () => {
    expect(register({ timeoutSeconds: '2' })).toThrow('health check "cache": timeoutSeconds must be a positive number of seconds, got "2"');
  });

  it('booleans and numbers are accepted', async () => {
    const r = new HealthCheckRegistry().register('cache', () => false, { critical: false, timeoutSeconds: 1 });
    expect((await r.checkAll()).status).toBe('degraded');
  });
});
