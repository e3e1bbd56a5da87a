/**
 * In workerd (miniflare): a Worker wrapped by instrument() with registerOpenTelemetry, a Hono app
 * with @hono/otel's middleware and a manual span through @opentelemetry/api. The exported trace
 * is one tree with correct parent ids, and nothing is exported twice.
 */
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../../runtimes/cloudflare-workers/test/helpers/workerd.js';

let mf: Miniflare;

beforeAll(async () => {
  const contents = await bundleWorker(fileURLToPath(new URL('./fixtures/otel-worker.ts', import.meta.url)));
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

interface Recorded {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  instrumentationScope?: { name: string; version?: string };
}

async function telemetry(atLeast = 1): Promise<{ registered: boolean; spans: Recorded[]; diagnostics: { kind: string; message: string }[] }> {
  // Exports run in waitUntil after the response, and a request closing within the batch window
  // of the previous export leaves with the next one: poll until the spans expected are in.
  let last: any;
  for (let i = 0; i < 100; i++) {
    last = await (await mf.dispatchFetch('http://w/__telemetry')).json();
    if (last.spans.length >= atLeast) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  return last;
}

function children(spans: Recorded[], id: string | undefined): Recorded[] {
  return spans.filter((s) => s.parentSpanId === id);
}

describe('workerd: instrument() + registerOpenTelemetry + @hono/otel + a manual API span', () => {
  it('one tree per request, correct parents, nothing exported twice', async () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const [a, b] = await Promise.all([
      mf.dispatchFetch('http://w/items/1'),
      mf.dispatchFetch('http://w/items/2', { headers: { traceparent: incoming } }),
    ]);
    const bodyA = (await a.json()) as { id: string; traceparent: string; spanId: string };
    const bodyB = (await b.json()) as { id: string; traceparent: string; spanId: string };
    const t = await telemetry(6);
    expect(t.registered).toBe(true);

    // each span exactly once
    const ids = t.spans.map((s) => s.spanId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(t.spans).toHaveLength(6);

    for (const [body, remoteParent] of [
      [bodyA, undefined],
      [bodyB, '00f067aa0ba902b7'],
    ] as const) {
      const manual = t.spans.find((s) => s.spanId === body.spanId)!;
      expect(manual.name).toBe('load-item');
      expect(manual.attributes['item.id']).toBe(body.id);
      expect(manual.instrumentationScope).toEqual({ name: 'manual', version: '1.0.0' });
      const tree = t.spans.filter((s) => s.traceId === manual.traceId);
      expect(tree).toHaveLength(3);
      // the adapter's server span is the root (or the child of the incoming traceparent)
      const [root] = children(tree, remoteParent);
      expect(children(tree, remoteParent)).toHaveLength(1);
      expect(root.kind).toBe(2); // SERVER
      expect(root.instrumentationScope?.name).toBe('@lexigram/monitor');
      // @hono/otel's span under it, then the manual span under @hono/otel's
      const [hono] = children(tree, root.spanId);
      expect(children(tree, root.spanId)).toHaveLength(1);
      expect(hono.name).toBe('GET /items/:id');
      expect(hono.kind).toBe(2);
      expect(hono.instrumentationScope?.name).toBe('@hono/otel');
      expect(hono.attributes['http.response.status_code']).toBe(200);
      expect(manual.parentSpanId).toBe(hono.spanId);
      // propagation.inject inside the manual span wrote its ids
      expect(body.traceparent).toBe(`00-${manual.traceId}-${manual.spanId}-01`);
      if (remoteParent) expect(manual.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
    expect(t.spans.filter((s) => s.traceId === t.spans.find((x) => x.spanId === bodyA.spanId)!.traceId)).not.toContainEqual(
      expect.objectContaining({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    );

    // the duplicate HTTP duration metric of @hono/otel is refused, and said so
    expect(t.diagnostics.some((d) => d.kind === 'otel' && /not recorded twice/.test(d.message))).toBe(true);
  });
});
