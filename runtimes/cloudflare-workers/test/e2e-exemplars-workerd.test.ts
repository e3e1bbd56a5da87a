/**
 * End to end, in real workerd (miniflare 4), OTLP to a local receiver (protobufjs decoder). The
 * README: "Histogram observations inside a sampled span carry `trace_id`/`span_id` exemplars in
 * OTLP and OpenMetrics" (default exemplar filter `trace_based`). A request's own duration,
 * `http.server.request.duration`, is observed for the request's sampled SERVER span (in its
 * context, as the OpenTelemetry SDK's HTTP instrumentation records it, whose trace_based filter
 * gives it that span's exemplar): it is the histogram a user goes from to the slow request's trace.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { spansOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

/** The exemplars (trace and span ids) of every point of `name` the receiver got. */
function exemplars(srv: TestServer, name: string): { points: number; ids: string[] } {
  let points = 0;
  const ids: string[] = [];
  for (const r of srv.otlp()) {
    if (r.path !== '/v1/metrics') continue;
    for (const rm of decodeProto('metrics', r.body).resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? [])
          if (m.name === name)
            for (const p of m.histogram.dataPoints) {
              points++;
              // decodeProto gives the ids in hex, as spansOf does.
              for (const e of p.exemplars ?? []) ids.push(`${e.traceId}/${e.spanId}`);
            }
  }
  return { points, ids };
}

describe('workerd e2e: histogram exemplars of a sampled request', () => {
  let srv: TestServer;
  let mf: Miniflare;

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('e2e-exemplars.ts'), vars: { OTLP: srv.url } });
    await (await mf.dispatchFetch('http://worker.test/')).text();
    await waitFor(() => exemplars(srv, 'http.server.request.duration').points > 0 && spansOf(srv).length >= 2);
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  // Observed while the KV call's CLIENT span still records: the exemplar points to the operation
  // measured, not to the request around it (it pointed to the SERVER span before).
  it('db.client.operation.duration of a KV read carries the KV call\'s CLIENT span as its exemplar', () => {
    const client = spansOf(srv).find((s) => s.kind === 3)!;
    expect(exemplars(srv, 'db.client.operation.duration').ids).toEqual([`${client.traceId}/${client.spanId}`]);
  });

  // Observed where the request's context has been left, and it used to be once the SERVER span
  // had ended (isRecording() false), so this histogram had no exemplar at all.
  it('http.server.request.duration carries the request\'s SERVER span as its exemplar', () => {
    const server = spansOf(srv).find((s) => s.kind === 2)!;
    expect(exemplars(srv, 'http.server.request.duration').ids).toEqual([`${server.traceId}/${server.spanId}`]);
  });
});
