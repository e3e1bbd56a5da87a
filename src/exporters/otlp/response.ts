/** The recommended cap on response bodies (OTLP-05): a larger one is a non-retryable error. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Reads at most `cap` bytes of a response body. Returns undefined, after cancelling the body,
 * when `Content-Length` or the streamed size says it is larger: such a body is never buffered.
 */
export async function readBodyCapped(res: Response, cap: number = MAX_RESPONSE_BYTES): Promise<Uint8Array | undefined> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > cap) {
    await discardBody(res);
    return undefined;
  }
  const body = res.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

/** Frees the connection without reading: an unread body would hold it open. */
export async function discardBody(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to free.
  }
}

export interface PartialSuccess {
  /** rejected_spans / rejected_data_points / rejected_log_records. */
  readonly rejected: number;
  readonly errorMessage: string;
}

const decoder = /* @__PURE__ */ new TextDecoder();

/**
 * `partial_success` of an Export*ServiceResponse, from JSON or protobuf (OTLP-07). Undefined
 * when unset or empty (full success); garbage bodies count as full success too, since the
 * server did answer 200.
 */
export function parsePartialSuccess(body: Uint8Array, contentType: string | null, sentJson: boolean): PartialSuccess | undefined {
  if (body.byteLength === 0) return undefined;
  const json = contentType ? contentType.includes('json') : sentJson;
  const ps = json ? fromJson(body) : fromProto(body);
  if (!ps || (ps.rejected === 0 && ps.errorMessage === '')) return undefined;
  return ps;
}

function fromJson(body: Uint8Array): PartialSuccess | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    return undefined;
  }
  const ps = (parsed as { partialSuccess?: Record<string, unknown> } | null)?.partialSuccess;
  if (!ps || typeof ps !== 'object') return undefined;
  const raw = ps.rejectedSpans ?? ps.rejectedDataPoints ?? ps.rejectedLogRecords ?? 0;
  const rejected = Number(raw);
  return {
    rejected: Number.isFinite(rejected) && rejected > 0 ? rejected : 0,
    errorMessage: typeof ps.errorMessage === 'string' ? ps.errorMessage : '',
  };
}

/** A tiny reader for the only two fields we need; unknown fields are skipped. */
function fromProto(buf: Uint8Array): PartialSuccess | undefined {
  const outer = findField(buf, 0, buf.length, 1);
  if (!outer || outer.kind !== 'bytes') return undefined;
  let rejected = 0;
  let errorMessage = '';
  const r = findField(buf, outer.start, outer.end, 1);
  if (r && r.kind === 'varint') rejected = r.value;
  const m = findField(buf, outer.start, outer.end, 2);
  if (m && m.kind === 'bytes') errorMessage = decoder.decode(buf.subarray(m.start, m.end));
  return { rejected: rejected > 0 ? rejected : 0, errorMessage };
}

/** The `message` of a google.rpc.Status error body (OTLP-08), JSON or protobuf; best effort. */
export function parseStatusMessage(body: Uint8Array, contentType: string | null): string {
  if (body.byteLength === 0) return '';
  if (contentType?.includes('json')) {
    try {
      const m = (JSON.parse(decoder.decode(body)) as { message?: unknown }).message;
      return typeof m === 'string' ? m : '';
    } catch {
      return '';
    }
  }
  if (contentType?.includes('protobuf')) {
    const f = findField(body, 0, body.length, 2);
    return f && f.kind === 'bytes' ? decoder.decode(body.subarray(f.start, f.end)) : '';
  }
  return decoder.decode(body.subarray(0, 200));
}

type Field = { kind: 'varint'; value: number } | { kind: 'bytes'; start: number; end: number };

function findField(buf: Uint8Array, start: number, end: number, wanted: number): Field | undefined {
  let p = start;
  let found: Field | undefined;
  while (p < end) {
    const tag = readVarint(buf, p, end);
    if (!tag) return found;
    p = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === 0) {
      const v = readVarint(buf, p, end);
      if (!v) return found;
      p = v.next;
      if (field === wanted) found = { kind: 'varint', value: v.value };
    } else if (wire === 2) {
      const len = readVarint(buf, p, end);
      if (!len || len.next + len.value > end) return found;
      if (field === wanted) found = { kind: 'bytes', start: len.next, end: len.next + len.value };
      p = len.next + len.value;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else return found;
  }
  return found;
}

function readVarint(buf: Uint8Array, p: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10 && p < end; i++) {
    const b = buf[p++];
    value += (b & 127) * mul;
    if (b < 128) return { value, next: p };
    mul *= 128;
  }
  return undefined;
}
