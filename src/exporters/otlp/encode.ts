// The order of these imports is the order of the modules in a bundle: this one compresses best
// (`npm run size`; about 60 B of the Worker bundle). It has no other meaning.
import { encodeMetricsJson } from './json-metrics.js';
import { encodeMetricsProto } from './proto-metrics.js';
import { encodeLogsJson } from './json-logs.js';
import { encodeTracesJson } from './json-traces.js';
import { encodeTracesProto } from './proto-traces.js';
import { encodeLogsProto } from './proto-logs.js';
import type { TelemetryBatch } from '../../model/batch.js';
import type { OtlpSignal } from './endpoint.js';
import type { OtlpProtocol } from './options.js';

/** Content-Type per protocol (OTLP-03). */
export function contentTypeOf(protocol: OtlpProtocol): string {
  return protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
}

/**
 * One signal of a batch as a request body in the chosen protocol.
 *
 * @example
 * const body = encodeSignal(batch, 'traces', 'http/json');
 */
export function encodeSignal(batch: TelemetryBatch, signal: OtlpSignal, protocol: OtlpProtocol): Uint8Array {
  if (protocol === 'http/json') {
    return signal === 'traces' ? encodeTracesJson(batch) : signal === 'metrics' ? encodeMetricsJson(batch) : encodeLogsJson(batch);
  }
  return signal === 'traces' ? encodeTracesProto(batch) : signal === 'metrics' ? encodeMetricsProto(batch) : encodeLogsProto(batch);
}

/** gzip through the Web `CompressionStream` (Workers, Deno, Bun, Node ≥ 18). */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
