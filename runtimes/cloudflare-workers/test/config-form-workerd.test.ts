/**
 * A Worker whose config is not a monitor, an options object or a function of the env (null, a
 * string), in real workerd: the module fails where it is evaluated, saying what to pass, instead of
 * loading and failing every request ("Invalid value used as weak map key", "unknown option `0`").
 */
import { Miniflare } from 'miniflare';
import { expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

const FORMS = /Uncaught TypeError: instrument: config must be a Monitor, an options object or a function \(env\) => options, got/;

for (const [name, got] of [['worker-config-null.ts', 'null'], ['worker-config-string.ts', '"api"']] as const) {
  test(`config ${got} stops the Worker at start-up, saying what to pass`, async () => {
    const contents = await bundleWorker(fixture(name));
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
    // Before, the Worker started and every request was a 500.
    expect(status).toBeUndefined();
    expect(String(failure)).toMatch(/failed to start/);
    const said = `${String(failure)}\n${output.join('')}`;
    expect(said).toMatch(FORMS);
    expect(said).toContain(`got ${got}.`);
  });
}
