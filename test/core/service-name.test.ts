/**
 * Where `service.name` comes from: an explicit `serviceName`, then `resource['service.name']`
 * given in code, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, then "unknown_service"
 * (ENV-09, ENV-10: attributes the user supplies in code win over the environment's).
 */
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { withEnv } from '../../src/adapter/monitor-from-config.js';

const resourceOf = (options: Parameters<typeof createMonitor>[0]) => createMonitor({ backends: [], ...options }).resource.attributes;

describe('service.name precedence', () => {
  it('resource["service.name"] given in code is kept, not overwritten by unknown_service', () => {
    const m = createMonitor({ resource: { 'service.name': 'checkout', 'service.version': '1.2' }, backends: [] });
    expect(m.serviceName).toBe('checkout');
    expect(m.resource.attributes).toMatchObject({ 'service.name': 'checkout', 'service.version': '1.2' });
  });

  it('an explicit serviceName (and serviceVersion) wins over the resource; unknown_service when neither is given', () => {
    expect(resourceOf({ serviceName: 'api', serviceVersion: '2', resource: { 'service.name': 'checkout', 'service.version': '1' } })).toMatchObject({ 'service.name': 'api', 'service.version': '2' });
    expect(resourceOf({ resource: { 'deployment.environment.name': 'prod' } })['service.name']).toBe('unknown_service');
  });

  it('through the adapters, the service.name in code wins over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the env still fills the gaps', () => {
    const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'service.version=9,team=ops' };
    expect(resourceOf(withEnv({ resource: { 'service.name': 'checkout', 'service.version': '1' } }, env))).toMatchObject({ 'service.name': 'checkout', 'service.version': '1', team: 'ops' });
    expect(resourceOf(withEnv({ serviceName: 'api' }, env))).toMatchObject({ 'service.name': 'api', 'service.version': '9' });
    expect(resourceOf(withEnv({ resource: { team: 'web' } }, env))).toMatchObject({ 'service.name': 'from-env', 'service.version': '9', team: 'web' });
    expect(resourceOf(withEnv({}, {}))['service.name']).toBe('unknown_service');
  });

  it('a resource service.name that is not a non-empty string throws, naming the option', () => {
    expect(() => createMonitor({ resource: { 'service.name': '' }, backends: [] })).toThrow(/resource\["service\.name"\]/);
    expect(() => createMonitor({ resource: { 'service.name': 42 }, backends: [] })).toThrow(/resource\["service\.name"\].*non-empty string/);
  });
});
