// Runs under `deno test` (npm run test:deno), which type-checks it against Deno's own types: each
// `@ts-expect-error` below must be an error, and every other call must check.
import assert from 'node:assert/strict';
import { serve, type DenoServeOptions } from '../index.ts';

const config = { serviceName: 'typed', backends: [] };
const handler = () => new Response('x');

/** Type-level only: never called. */
function typed(): void {
  // An option of the library beside Deno's own is a compile error, as on Node and Bun (it threw at run time).
  // @ts-expect-error traceFetch goes under `instrumentation`
  serve(handler, config, { port: 8000, traceFetch: false });
  // @ts-expect-error waitForBody goes under `instrumentation`
  serve(handler, config, { port: 8000, hostname: '127.0.0.1', waitForBody: true });
  // @ts-expect-error a misspelled Deno option
  serve(handler, config, { prot: 8000 });
  // @ts-expect-error a port is a number
  serve(handler, config, { port: '8000' });

  // Deno's own options check, their callbacks typed as Deno types them.
  const abort = new AbortController();
  serve(handler, config, {
    port: 0,
    hostname: '127.0.0.1',
    signal: abort.signal,
    reusePort: true,
    tcpBacklog: 128,
    automaticCompression: true,
    onListen({ hostname, port }) {
      console.log(hostname.length + port);
    },
    onError: (error: unknown) => new Response(String(error), { status: 500 }),
    instrumentation: { traceFetch: false, flushOnExit: false },
  });
  serve(handler, config, { port: 8443, cert: 'PEM', key: 'PEM', keyFormat: 'pem' });
  serve(handler, config, { path: '/tmp/app.sock', onListen: ({ path }) => console.log(path.length) });
  serve(handler, config);
  // Deno's own option types are accepted as they are.
  const tcp: Deno.ServeTcpOptions = { port: 0, onListen: (addr: Deno.NetAddr) => console.log(addr.port) };
  const tls: Deno.ServeTcpOptions & Deno.TlsCertifiedKeyPem = { port: 0, cert: 'PEM', key: 'PEM' };
  const unix: Deno.ServeUnixOptions = { path: '/tmp/app.sock' };
  serve(handler, config, tcp);
  serve(handler, config, tls);
  serve(handler, config, unix);
  const options: DenoServeOptions = { port: 0, instrumentation: { denoOtel: 'separate' } };
  serve(handler, config, options);
}

Deno.test("deno: serve()'s third argument is typed as Deno.serve's options plus `instrumentation` (a library option beside them is a compile error)", () => {
  assert.equal(typeof typed, 'function');
});
