/**
 * OTEL_* variables written in wrangler.toml without quotes (`OTEL_SDK_DISABLED = true`,
 * `OTEL_TRACES_SAMPLER_ARG = 0.1`): wrangler hands such a var to the Worker as a JSON value, a
 * boolean or a number, not a string. In real workerd (miniflare's `bindings` are JSON vars too).
 */
import { Miniflare } from 'miniflare';
import { afterEach, expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

let mf: Miniflare | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
});

async function state(bindings: Record<string, string | number | boolean>): Promise<{ enabled: boolean; recording: boolean }> {
  const contents = await bundleWorker(fixture('worker-typed-vars.ts'));
  mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents }], compatibilityDate: '2026-04-01', bindings });
  return (await (await mf.dispatchFetch('http://worker.test/')).json()) as { enabled: boolean; recording: boolean };
}

test('control: the same settings as strings are honoured', async () => {
  expect(await state({ OTEL_SDK_DISABLED: 'true' })).toMatchObject({ enabled: false });
});

test('OTEL_SDK_DISABLED = true (a boolean var) turns the monitor off; it was ignored without a word, telemetry stayed on', async () => {
  expect(await state({ OTEL_SDK_DISABLED: true })).toMatchObject({ enabled: false });
});

test('OTEL_TRACES_SAMPLER_ARG = 0 (a number var) is the ratio sampled; it was ignored, every trace kept (1.0)', async () => {
  expect(await state({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 0 })).toEqual({ enabled: true, recording: false });
});
