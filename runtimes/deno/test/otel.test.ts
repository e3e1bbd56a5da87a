/**
 * `registerOpenTelemetry` under Deno's built-in OpenTelemetry (`OTEL_DENO=true`, DN-05/DN-06).
 *
 * Documented behaviour: Deno registers its own providers in the `@opentelemetry/api` registry
 * before any user code runs, so `registerOpenTelemetry(monitor)` declines: it returns false,
 * reports an `otel` diagnostic, and leaves Deno's providers in place. Spans made through
 * `npm:@opentelemetry/api` then go to Deno's exporter (with Deno's automatic HTTP spans), the
 * monitor's own spans to its backends. `{ override: true }` replaces Deno's providers instead.
 *
 * Run by `npm run test:deno`. Without OTEL_DENO in the environment this file re-runs itself in a
 * child `deno test` with OTEL_DENO=true and Deno's exporter pointed at a local receiver, and
 * checks the API span arrived there.
 */
import assert from 'node:assert/strict';
import { context, trace } from 'npm:@opentelemetry/api@1';
import { createMonitor, MemoryBackend, type Diagnostic } from '../../../src/index.ts';
import { BridgedSpan, registerOpenTelemetry, unregisterOpenTelemetry } from '../../../src/otel/index.ts';

const underDenoOtel = Deno.env.get('OTEL_DENO') === 'true';
const opts = { sanitizeOps: false, sanitizeResources: false };

if (!underDenoOtel) {
  Deno.test('OTEL_DENO=true: registerOpenTelemetry declines; API spans reach Deno’s own exporter', opts, async () => {
    const received: string[] = [];
    const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, async (req) => {
      if (new URL(req.url).pathname === '/v1/traces') received.push(await req.text());
      else await req.body?.cancel();
      return Response.json({});
    });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ['test', '-A', '--no-lock', '--sloppy-imports', new URL(import.meta.url).pathname],
        cwd: new URL('../../../', import.meta.url).pathname,
        env: {
          OTEL_DENO: 'true',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '50',
          OTEL_SERVICE_NAME: 'deno-otel-test',
          NO_COLOR: '1',
        },
        stdout: 'piped',
        stderr: 'piped',
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, /ok \| 3 passed/);
      // Deno exports on exit at the latest.
      const all = received.join('\n');
      assert.match(all, /"api-span-under-deno"/, 'the API span went to Deno’s exporter');
      assert.doesNotMatch(all, /"monitor-span-under-deno"/, 'the monitor’s own span did not');
    } finally {
      await server.shutdown();
    }
  });
} else {
  const diags: Diagnostic[] = [];
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'deno-otel', backends: [memory], onDiagnostic: (d) => diags.push(d) });

  Deno.test('Deno has registered its providers in the API registry', opts, () => {
    const registry = (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for('opentelemetry.js.api.1')];
    assert.ok(registry?.trace && registry.context, 'Deno registered trace and context');
  });

  Deno.test('registerOpenTelemetry declines, reports, and leaves Deno in charge of the API', opts, async () => {
    assert.equal(registerOpenTelemetry(monitor), false);
    const d = diags.filter((x) => x.kind === 'otel');
    assert.equal(d.length, 1);
    assert.match(d[0].message, /OTEL_DENO=true/);
    assert.match(d[0].message, /override: true/);

    await trace.getTracer('lib').startActiveSpan('api-span-under-deno', async (span) => {
      assert.ok(!(span instanceof BridgedSpan), 'the API span is Deno’s, not the monitor’s');
      assert.equal(trace.getActiveSpan()?.spanContext().spanId, span.spanContext().spanId);
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(trace.getSpan(context.active())?.spanContext().spanId, span.spanContext().spanId, 'Deno’s context survives await');
      span.end();
    });
    monitor.tracer.startSpan('monitor-span-under-deno').end();
    await monitor.flush();
    assert.deepEqual(
      memory.spans.map((s) => s.name),
      ['monitor-span-under-deno'],
    );
  });

  Deno.test('{ override: true } replaces Deno’s providers: API spans then go to the monitor', opts, async () => {
    const before = memory.spans.length;
    assert.equal(registerOpenTelemetry(monitor, { override: true }), true);
    await monitor.tracer.startActiveSpan('ours', async () => {
      await new Promise((r) => setTimeout(r, 1));
      const s = trace.getTracer('lib').startSpan('api-after-override');
      assert.ok(s instanceof BridgedSpan);
      s.end();
    });
    await monitor.flush();
    const spans = memory.spans.slice(before);
    const ours = spans.find((s) => s.name === 'ours');
    const api = spans.find((s) => s.name === 'api-after-override');
    assert.ok(ours && api);
    assert.equal(api.parentSpanId, ours.spanId);
    unregisterOpenTelemetry();
  });
}
