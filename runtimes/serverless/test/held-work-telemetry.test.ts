/**
 * Telemetry recorded in work the invocation is held for (`getActiveScope()?.waitUntil(p)`, and
 * Netlify's own `context.waitUntil(p)`) leaves with that invocation: inside the platform's
 * `waitUntil` (Vercel, Netlify), or before a Lambda or a function without `waitUntil` returns, never
 * left for a later export (lost to the freeze).
 */
import { afterEach, expect, test } from 'vitest';
import { getActiveScope } from '../../../src/context/active.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lambdaContext = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
const VERCEL = Symbol.for('@vercel/request-context');

afterEach(() => {
  resetColdStart();
  delete (globalThis as Record<symbol, unknown>)[VERCEL];
});

/** Background work that records a span and a log 30 ms later. */
function background(monitor: ReturnType<typeof createTestMonitor>['monitor'], label: string): Promise<void> {
  return (async () => {
    await sleep(30);
    await monitor.tracer.startActiveSpan(`${label}-span`, async () => monitor.logger.info(`${label}-log`));
  })();
}

test('Lambda: what scope.waitUntil work recorded is exported before the handler returns', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    getActiveScope()?.waitUntil(background(monitor, 'audit'));
    return { statusCode: 202 };
  }, monitor);
  await handler({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, lambdaContext('bg'));
  expect(memory.spans.map((s) => s.name)).toContain('audit-span');
  expect(memory.logs.map((l) => l.body)).toContain('audit-log');
});

test('a function without waitUntil: held work\'s telemetry is in the export awaited before it returns', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handler = wrapFunction(async (_req: Request) => {
    getActiveScope()?.waitUntil(background(monitor, 'plain'));
    return new Response('ok', { status: 202 });
  }, monitor);
  await handler(new Request('https://fn.example/a'));
  expect(memory.logs.map((l) => l.body)).toContain('plain-log');
});

test('Vercel: held work\'s telemetry is exported inside the request\'s waitUntil', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const waits: Promise<unknown>[] = [];
  (globalThis as Record<symbol, unknown>)[VERCEL] = { get: () => ({ waitUntil: (p: Promise<unknown>) => void waits.push(p) }) };
  const handler = wrapFunction(async (_req: Request) => {
    getActiveScope()?.waitUntil(background(monitor, 'email'));
    return new Response('accepted', { status: 202 });
  }, monitor);
  await handler(new Request('https://x.vercel.app/api/signup', { method: 'POST' }));
  await Promise.all(waits); // the platform keeps the instance until these settle, no longer
  expect(memory.spans.map((s) => s.name)).toContain('email-span');
  expect(memory.logs.map((l) => l.body)).toContain('email-log');
});

/** Netlify's context; `settled()` waits for every promise it was handed, those handed meanwhile included. */
function netlifyContext() {
  const platform: Promise<unknown>[] = [];
  const context = { waitUntil: (p: Promise<unknown>) => void platform.push(p) };
  const settled = async () => {
    for (let seen = 0; seen < platform.length; ) await Promise.all(platform.slice(seen, (seen = platform.length)));
  };
  return { context, settled };
}

test('Netlify: scope.waitUntil work\'s telemetry leaves inside context.waitUntil', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const { context, settled } = netlifyContext();
  const handler = wrapFunction(async (_req: Request, _ctx: unknown) => {
    getActiveScope()?.waitUntil(background(monitor, 'scope'));
    return new Response('ok', { status: 202 });
  }, monitor);
  await handler(new Request('https://s.netlify.app/a'), context);
  await settled();
  expect(memory.logs.map((l) => l.body)).toEqual(['scope-log']);
});

test('Netlify: work the handler hands to context.waitUntil itself is waited for by the export, as on Workers', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const { context, settled } = netlifyContext();
  const original = context.waitUntil;
  const handler = wrapFunction(async (_req: Request, ctx: typeof context) => {
    ctx.waitUntil(background(monitor, 'context'));
    return new Response('ok', { status: 202 });
  }, monitor);
  await handler(new Request('https://s.netlify.app/b'), context);
  await settled();
  expect(memory.spans.map((s) => s.name)).toContain('context-span');
  expect(memory.logs.map((l) => l.body)).toEqual(['context-log']);
  // The platform's own waitUntil is put back once the invocation's hold ends.
  expect(context.waitUntil).toBe(original);
});
