// @traced() / @metered() as Bun compiles them: standard decorators by default, legacy ones when
// the tsconfig.json of the directory Bun starts in sets experimentalDecorators.
import { expect, test } from 'bun:test';

declare const Bun: any;

const dir = new URL('../../test-support/decorators/', import.meta.url).pathname;

async function run(cwd: string): Promise<Record<string, unknown>> {
  const child = Bun.spawn([process.execPath, 'run', `${dir}decorated.ts`], { cwd, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  expect({ code, err }).toEqual({ code: 0, err: '' });
  return JSON.parse(out);
}

for (const [mode, cwd] of [['standard', dir], ['legacy', `${dir}legacy`]]) {
  test(`bun: @traced() and @metered() as ${mode} decorators wrap the methods, with this, results, errors and names`, async () => {
    expect(await run(cwd)).toEqual({
      mode,
      results: ['ord-1', 'o-2', 'ValidationError'],
      spans: ['Orders.create:0', 'Orders.label:0', 'Orders.label:0', 'process_order:0', 'process_order:2'],
      calls: {
        orders_label_calls_total: [[{}, 2]],
        orders_processed_calls_total: [[{}, 2]],
        orders_processed_errors_total: [[{ 'error.type': 'ValidationError' }, 1]],
      },
    });
  }, 30_000);
}
