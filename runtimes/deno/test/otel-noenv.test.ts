// OTEL_DENO=true without env permission: the default denoOtel 'auto' cannot read OTEL_DENO, and
// must still join Deno's telemetry (no SERVER or fetch CLIENT span, no HTTP metrics of our own),
// not export them a second time.
import assert from 'node:assert/strict';

declare const Deno: any;

Deno.test({
  name: "deno: OTEL_DENO=true without --allow-env, denoOtel 'auto' joins Deno's span instead of doubling it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Deno's own exporter goes to this sink (it reads its variables without a permission).
    const sink = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, async (req: Request) => {
      await req.body?.cancel();
      return Response.json({});
    });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ['run', '--no-prompt', '--no-lock', '--sloppy-imports', '--allow-read', '--allow-net', new URL('./fixtures/otel-deno-noenv.ts', import.meta.url).pathname],
        env: {
          OTEL_DENO: 'true',
          OTEL_DENO_CONSOLE: 'ignore',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.addr.port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          NO_COLOR: '1',
        },
        stdout: 'piped',
        stderr: 'piped',
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
      assert.ok(r.denoSpanId, "Deno's span is active in the request");
      assert.deepEqual(r.spans.filter((s: { kind: number }) => s.kind === 2 || s.kind === 3), [], 'no SERVER or CLIENT span of our own');
      assert.deepEqual(r.httpMetrics, [], 'no HTTP server metrics of our own');
      const work = r.spans.find((s: { name: string }) => s.name === 'work');
      assert.equal(work?.parentSpanId, r.denoSpanId, "our span is a child of Deno's SERVER span");
    } finally {
      await sink.shutdown();
    }
  },
});
