/**
 * A Worker whose options object has a mistake, in real workerd: the module fails where it is
 * evaluated (as wrangler dev and a deploy evaluate it), with the message that says what to change,
 * instead of loading and failing every request.
 */
import { Miniflare } from 'miniflare';
import { expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

test('a misspelt option stops the Worker at start-up, saying what to change', async () => {
  const contents = await bundleWorker(fixture('worker-misconfigured.ts'));
  const output: string[] = [];
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
    compatibilityDate: '2026-04-01',
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d) => output.push(String(d)));
      stderr.on('data', (d) => output.push(String(d)));
    },
  });
  let failure: unknown;
  let status: number | undefined;
  try {
    await mf.ready;
    status = (await mf.dispatchFetch('http://x/')).status;
  } catch (err) {
    failure = err;
  } finally {
    await mf.dispose().catch(() => {});
  }
  // Before, the Worker started and every request failed with this error (a 500).
  expect(status).toBeUndefined();
  expect(String(failure)).toMatch(/failed to start/);
  // What workerd printed (miniflare repeats it in the failure when it has it).
  expect(`${String(failure)}\n${output.join('')}`).toMatch(/Uncaught TypeError: instrument: unknown option `instrumentBinding`; known options are .*instrumentBindings/);
});
