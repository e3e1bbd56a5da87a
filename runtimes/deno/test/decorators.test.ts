// @traced() / @metered() as Deno compiles them: standard decorators by default, legacy ones with
// "experimentalDecorators": true in deno.json.
import assert from 'node:assert/strict';

declare const Deno: any;

const dir = new URL('../../test-support/decorators/', import.meta.url).pathname;

for (const [mode, config] of [['standard', ['--no-config']], ['legacy', ['--config', `${dir}legacy/deno.json`]]]) {
  Deno.test(`deno: @traced() and @metered() as ${mode} decorators wrap the methods, with this, results, errors and names`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ['run', '-A', '--no-lock', '--sloppy-imports', ...config, `${dir}decorated.ts`],
      env: { NO_COLOR: '1' },
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
      mode,
      results: ['ord-1', 'o-2', 'ValidationError'],
      spans: ['Orders.create:0', 'Orders.label:0', 'Orders.label:0', 'process_order:0', 'process_order:2'],
      calls: {
        orders_label_calls_total: [[{}, 2]],
        orders_processed_calls_total: [[{}, 2]],
        orders_processed_errors_total: [[{ 'error.type': 'ValidationError' }, 1]],
      },
    });
  });
}
