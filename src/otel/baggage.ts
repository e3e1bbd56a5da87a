import { baggageEntryMetadataFromString, propagation, type Baggage as ApiBaggage, type BaggageEntry } from '@opentelemetry/api';
import type { Baggage } from '../trace/propagation/baggage.js';

const toApi = new WeakMap<Baggage, ApiBaggage>();
const fromApi = new WeakMap<ApiBaggage, Baggage>();

/** Our baggage → the API's (the same object each time for the same input). */
export function toApiBaggage(b: Baggage): ApiBaggage {
  let out = toApi.get(b);
  if (out === undefined) {
    const entries: Record<string, BaggageEntry> = {};
    for (const k of Object.keys(b)) {
      const e = b[k];
      entries[k] = e.metadata ? { value: e.value, metadata: baggageEntryMetadataFromString(e.metadata) } : { value: e.value };
    }
    out = propagation.createBaggage(entries);
    toApi.set(b, out);
    fromApi.set(out, b);
  }
  return out;
}

/** The API's baggage → ours; undefined when it has no entries. */
export function fromApiBaggage(b: ApiBaggage | undefined): Baggage | undefined {
  if (b === undefined || b === null) return undefined;
  let out = fromApi.get(b);
  if (out === undefined) {
    const entries = b.getAllEntries();
    if (entries.length === 0) return undefined;
    out = Object.create(null) as Baggage;
    for (const [k, e] of entries) {
      const m = e.metadata?.toString();
      out[k] = m ? { value: e.value, metadata: m } : { value: e.value };
    }
    fromApi.set(b, out);
    toApi.set(out, b);
  }
  return out;
}
