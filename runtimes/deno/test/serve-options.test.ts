// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { instrument, serve } from '../index.ts';

declare const Deno: any;

Deno.test("deno: a misspelled key under serve()'s `instrumentation` throws, listing the known ones", () => {
  assert.throws(
    () => serve(() => new Response('x'), { serviceName: 'typo', backends: [] }, { port: 0, instrumentation: { denoOTel: 'join' } as never }),
    /^TypeError: serve: instrumentation: unknown option `denoOTel`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch, denoOtel, trustProxy, flushOnExit\.$/,
  );
});

Deno.test("deno: an option of the library beside Deno's own (traceFetch: false at the top, as on Node) throws saying it goes under `instrumentation`, before the server starts; Deno.serve ignored it, so fetch stayed traced", () => {
  for (const [k, v] of [['traceFetch', false], ['waitForBody', true], ['denoOtel', 'separate'], ['flushOnExit', false]] as const) {
    assert.throws(
      () => serve(() => new Response('x'), { serviceName: 'placed', backends: [] }, { port: 0, onListen() {}, [k]: v }),
      new RegExp(`^TypeError: serve: \`${k}\` goes under \`instrumentation\` \\(\\{ instrumentation: \\{ ${k} \\} \\}\\); the other keys are the runtime's own\\.$`),
    );
  }
});

Deno.test("deno: instrument()'s misspelled option throws, listing the known ones (denoOtel included)", () => {
  assert.throws(
    () => instrument(() => new Response('x'), { serviceName: 'typo', backends: [] }, { denoOTel: 'join' } as never),
    /^TypeError: instrument: unknown option `denoOTel`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch, denoOtel, trustProxy\.$/,
  );
});

Deno.test("deno: option values of the wrong type throw where they are given: denoOtel 'true' ran as 'separate', trustIncomingTrace 'false' trusted incoming traces", () => {
  assert.throws(
    () => instrument(() => new Response('x'), { serviceName: 'typed', backends: [] }, { denoOtel: 'true' } as never),
    /^TypeError: instrument: `denoOtel` must be 'auto', 'join' or 'separate', got "true"\.$/,
  );
  assert.throws(
    () => serve(() => new Response('x'), { serviceName: 'typed', backends: [] }, { port: 0, instrumentation: { trustIncomingTrace: 'false' } as never }),
    /^TypeError: serve: instrumentation: `trustIncomingTrace` must be true or false, got "false"\.$/,
  );
});

Deno.test({
  name: 'deno: a wrong flushOnExit option under serve() throws before the server starts (it was left listening); a port in use leaves nothing registered',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const probe = Deno.listen({ hostname: '127.0.0.1', port: 0 });
    const port = probe.addr.port;
    probe.close();
    assert.throws(
      () => serve(() => new Response('x'), { serviceName: 'typo', backends: [] }, { hostname: '127.0.0.1', port, onListen() {}, instrumentation: { flushOnExit: { timeoutMS: 5 } as never } }),
      /unknown option `timeoutMS`/,
    );
    // Nothing listens on the port: it can be taken again.
    const again = Deno.listen({ hostname: '127.0.0.1', port });
    const state = (globalThis as Record<symbol, { targets: Set<unknown> } | undefined>)[Symbol.for('@lexigram/monitor/deno-flush-on-exit/state/v1')];
    const before = state?.targets.size ?? 0;
    assert.throws(() => serve(() => new Response('x'), { serviceName: 'busy', backends: [] }, { hostname: '127.0.0.1', port, onListen() {} }));
    assert.equal(state?.targets.size ?? 0, before);
    again.close();
  },
});
