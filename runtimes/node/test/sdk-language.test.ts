/**
 * `telemetry.sdk.language` under the Node adapters: `nodejs`, the value the OpenTelemetry JS SDK
 * reports on Node (its `webjs`, the core's default, is the browser build's), unless the app
 * gives one.
 */
import { afterAll, expect, test } from 'vitest';
import { instrument, instrumentListener } from '../index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { createMonitor } from '../../../src/index.js';
import { MemoryBackend } from '../../../src/testing/index.js';

afterAll(() => untraceGlobalFetch());

const language = (h: { monitor: { resource: { attributes: Record<string, unknown> } } }): unknown => h.monitor.resource.attributes['telemetry.sdk.language'];

test('instrument() and instrumentListener() report telemetry.sdk.language nodejs (it was webjs); a language in resource is kept', () => {
  expect(language(instrument(() => new Response('ok'), { backends: [new MemoryBackend()] }))).toBe('nodejs');
  expect(language(instrumentListener((_req, res) => void res.end(), { backends: [new MemoryBackend()] }))).toBe('nodejs');
  const own = instrument(() => new Response('ok'), { backends: [new MemoryBackend()], resource: { 'telemetry.sdk.language': 'typescript' } });
  expect(language(own)).toBe('typescript');
});

test("webjs given in resource, in OTEL_RESOURCE_ATTRIBUTES or in a monitor's resource is kept: only the core's default becomes nodejs", () => {
  const webjs = { 'telemetry.sdk.language': 'webjs' };
  expect(language(instrument(() => new Response('ok'), { backends: [new MemoryBackend()], resource: webjs }))).toBe('webjs');
  expect(language(instrumentListener((_req, res) => void res.end(), { backends: [new MemoryBackend()], resource: webjs }))).toBe('webjs');
  expect(language(instrument(() => new Response('ok'), createMonitor({ backends: [new MemoryBackend()], resource: webjs })))).toBe('webjs');
  expect(language(instrument(() => new Response('ok'), createMonitor({ backends: [new MemoryBackend()] })))).toBe('nodejs');
  const before = process.env.OTEL_RESOURCE_ATTRIBUTES;
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'telemetry.sdk.language=webjs,deployment.environment.name=test';
  try {
    expect(language(instrument(() => new Response('ok'), { backends: [new MemoryBackend()] }))).toBe('webjs');
    expect(language(instrument(() => new Response('ok'), { backends: [new MemoryBackend()], resource: { 'service.namespace': 'shop' } }))).toBe('webjs');
  } finally {
    if (before === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    else process.env.OTEL_RESOURCE_ATTRIBUTES = before;
  }
});
