/**
 * Encoding 1000 spans as an OTLP ExportTraceServiceRequest, protobuf and JSON, to bytes.
 * Peer: @opentelemetry/otlp-transformer 0.223.1 `ProtobufTraceSerializer.serializeRequest` /
 * `JsonTraceSerializer.serializeRequest` over SDK `ReadableSpan`s carrying the same data
 * (resource, scope, ids, times, 5 attributes, one event, a parent on every other span).
 * Ours: `encodeTracesProto` / `encodeTracesJson` over the equivalent batch.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeTracesJson, encodeTracesProto } from '../src/exporters/otlp/index.js';
import { compare } from './lib/harness.js';
import { batch, sdkSpans } from './lib/otlp-spans.js';

let sink = 0;
const protoPeer = ProtobufTraceSerializer.serializeRequest(sdkSpans)!.length;
const protoOurs = encodeTracesProto(batch).length;
const jsonPeer = JsonTraceSerializer.serializeRequest(sdkSpans)!.length;
const jsonOurs = encodeTracesJson(batch).length;
console.log(`body sizes: protobuf peer ${protoPeer} B, ours ${protoOurs} B; JSON peer ${jsonPeer} B, ours ${jsonOurs} B (ours writes int64 as strings, OTLP-J5)`);

await compare({
  title: 'OTLP encode 1000 spans, protobuf',
  target: 3,
  tasks: [
    { name: 'otlp-transformer 0.223.1 ProtobufTraceSerializer', side: 'peer', fn: () => (sink += ProtobufTraceSerializer.serializeRequest(sdkSpans)!.length) },
    { name: '@lexigram/monitor encodeTracesProto', side: 'ours', fn: () => (sink += encodeTracesProto(batch).length) },
  ],
});
await compare({
  title: 'OTLP encode 1000 spans, JSON',
  target: 3,
  tasks: [
    { name: 'otlp-transformer 0.223.1 JsonTraceSerializer', side: 'peer', fn: () => (sink += JsonTraceSerializer.serializeRequest(sdkSpans)!.length) },
    { name: '@lexigram/monitor encodeTracesJson', side: 'ours', fn: () => (sink += encodeTracesJson(batch).length) },
  ],
});
if (sink < 0) console.log(sink);
