/**
 * `telemetry.sdk.language` of a wrapped function on Node (Lambda, Vercel, Netlify): `nodejs`, as
 * under the Node adapters and the OpenTelemetry JS SDK on Node, in place of the core's `webjs`;
 * a language the app or OTEL_RESOURCE_ATTRIBUTES gives is kept.
 */
import { expect, test } from 'vitest';
import { createMonitor } from '../../../src/index.js';
import { MemoryBackend } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

const fn = async (_event: unknown, _context: unknown): Promise<{ statusCode: number }> => ({ statusCode: 200 });
const event = { version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET', path: '/' } }, headers: {} };

/** The language on the resource exported after one invocation of `fn` wrapped with `config`. */
async function language(config: Parameters<typeof wrapFunction>[1] & object, memory: MemoryBackend): Promise<unknown> {
  await wrapFunction(fn, config)(event, { functionName: 'f', awsRequestId: '1', getRemainingTimeInMillis: () => 5000 });
  return memory.resource?.attributes['telemetry.sdk.language'];
}

test('wrapFunction on Node reports telemetry.sdk.language nodejs (it was webjs), a given monitor too', async () => {
  let memory = new MemoryBackend();
  expect(await language({ backends: [memory] }, memory)).toBe('nodejs');
  memory = new MemoryBackend();
  expect(await language(createMonitor({ backends: [memory] }), memory)).toBe('nodejs');
});

test('a language given in resource or OTEL_RESOURCE_ATTRIBUTES is kept, webjs included', async () => {
  for (const given of ['webjs', 'typescript']) {
    const memory = new MemoryBackend();
    expect(await language({ backends: [memory], resource: { 'telemetry.sdk.language': given } }, memory)).toBe(given);
  }
  const before = process.env.OTEL_RESOURCE_ATTRIBUTES;
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'telemetry.sdk.language=webjs';
  try {
    const memory = new MemoryBackend();
    expect(await language({ backends: [memory] }, memory)).toBe('webjs');
  } finally {
    if (before === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    else process.env.OTEL_RESOURCE_ATTRIBUTES = before;
  }
});
