// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { instrument, serve } from '../index.ts';

declare const Deno: any;

Deno.test("deno: a misspelled key under serve()'s `instrumentation` throws, listing the known ones", () => {
  assert.throws(
    () => serve(() => new Response('x'), { serviceName: 'typo', backends: [] }, { port: 0, instrumentation: { denoOTel: 'join' } as never }),
    /^TypeError: serve: instrumentation: unknown option `denoOTel`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, traceFetch, denoOtel, flushOnExit\.$/,
  );
});

Deno.test("deno: instrument()'s misspelled option throws, listing the known ones (denoOtel included)", () => {
  assert.throws(
    () => instrument(() => new Response('x'), { serviceName: 'typo', backends: [] }, { denoOTel: 'join' } as never),
    /^TypeError: instrument: unknown option `denoOTel`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, traceFetch, denoOtel\.$/,
  );
});
