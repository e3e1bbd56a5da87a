// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// Under waitForBody, a client that leaves a streamed body is error.type connection_closed on the
// span, its 200 kept: also when the body is a proxied fetch made with the request's signal, which
// Deno aborts as the client goes (the upstream body then fails with that abort).
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { MemoryBackend } from '../../../src/index.ts';
import { instrument } from '../index.ts';

declare const Deno: any;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: 'deno: waitForBody, a client that leaves a proxied stream (fetch with request.signal) mid-body is connection_closed, not the abort',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const enc = new TextEncoder();
    const upstream = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, () =>
      new Response(
        new ReadableStream({
          start: (c) => c.enqueue(enc.encode('data: first\n\n')),
          pull: (c) => sleep(20).then(() => c.enqueue(enc.encode('data: more\n\n'))),
        }),
        { headers: { 'content-type': 'application/x-ndjson' } },
      ),
    );
    const up = `http://127.0.0.1:${upstream.addr.port}/`;
    const memory = new MemoryBackend();
    const h = instrument((request: Request) => fetch(up, { signal: request.signal }), { serviceName: 'proxy', backends: [memory] }, { waitForBody: true, traceFetch: false });
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
    try {
      await new Promise<void>((resolve, reject) => {
        const req = get(`http://127.0.0.1:${server.addr.port}/feed`, (res) => res.once('data', () => (req.destroy(), resolve())));
        req.on('error', () => undefined);
        setTimeout(() => reject(new Error('no first chunk')), 5000);
      });
      let span;
      for (let i = 0; i < 250 && !span; i++) {
        await h.flush();
        span = memory.spans.find((s) => s.attributes['url.path'] === '/feed');
        if (!span) await sleep(20);
      }
      assert.ok(span, 'the /feed span ended');
      assert.deepEqual(
        [span.attributes['http.response.status_code'], span.attributes['http.response.body.incomplete'], span.attributes['error.type'], span.events.filter((e) => e.name === 'exception').length],
        [200, true, 'connection_closed', 0],
      );
    } finally {
      await server.shutdown().catch(() => {});
      await upstream.shutdown().catch(() => {});
      untraceGlobalFetch();
    }
  },
});

Deno.test({
  name: "deno: waitForBody, a body that fails mid-way keeps its error's type, and the request's signal is not read (Deno warns on a first read of it)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/body-fails-server.ts', import.meta.url).pathname],
      env: { NO_COLOR: '1' },
      stdout: 'piped',
      stderr: 'piped',
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stdout + stderr);
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { errorType: 'RangeError' });
    assert.equal(/request\.signal/.test(stdout + stderr), false, stdout + stderr);
  },
});
