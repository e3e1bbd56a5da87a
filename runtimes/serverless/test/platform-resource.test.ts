import { afterEach, describe, expect, test, vi } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

/** The system variables Vercel exposes to a function at runtime (Edge runtime: no AWS ones). */
const VERCEL_ENV = { VERCEL: '1', VERCEL_ENV: 'preview', VERCEL_REGION: 'iad1', VERCEL_DEPLOYMENT_ID: 'dpl_8YzF3uLq', VERCEL_URL: 'shop-git-x.vercel.app' };

describe('wrapFunction on Vercel: resource attributes from the environment (semantic conventions, deployment)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetColdStart();
  });

  test('deployment.environment.name from VERCEL_ENV and deployment.id from VERCEL_DEPLOYMENT_ID; no cloud.provider or cloud.region the conventions do not define', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    for (const [k, v] of Object.entries(VERCEL_ENV)) vi.stubEnv(k, v);
    const memory = new MemoryBackend();
    const handler = wrapFunction(async (_r: Request) => new Response('ok'), { serviceName: 'shop', backends: [memory] }, { kind: 'fetch' });
    await handler(new Request('https://shop.example/'));
    expect(memory.resource!.attributes).toMatchObject({ 'deployment.environment.name': 'preview', 'deployment.id': 'dpl_8YzF3uLq', 'service.name': 'shop' });
    expect(Object.keys(memory.resource!.attributes).filter((k) => k.startsWith('cloud.') || k.startsWith('faas.'))).toEqual([]);
  });

  test("on Vercel's Node.js runtime (AWS Lambda underneath) Lambda's attributes come too; what code gives wins", () => {
    for (const [k, v] of Object.entries(VERCEL_ENV)) vi.stubEnv(k, v);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'shop-api');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const { monitor } = createTestMonitor({ resource: { 'deployment.environment.name': 'staging' } });
    wrapFunction(async (_r: Request) => new Response('ok'), monitor);
    expect(monitor.resource.attributes).toMatchObject({ 'deployment.environment.name': 'staging', 'deployment.id': 'dpl_8YzF3uLq', 'cloud.provider': 'aws', 'cloud.region': 'us-east-1', 'faas.name': 'shop-api' });
  });

  test('outside Vercel (no VERCEL) VERCEL_* variables are not read', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('VERCEL', '');
    vi.stubEnv('VERCEL_ENV', 'production');
    const { monitor } = createTestMonitor();
    wrapFunction(async (_r: Request) => new Response('ok'), monitor);
    expect(monitor.resource.attributes).not.toHaveProperty('deployment.environment.name');
  });
});
