import { contextStorage } from '../../../src/context/active.js';
import { isExporterRequest } from '../../../src/exporters/otlp/exporter-urls.js';
import type { FetchFn } from '../../../src/http/instrument-fetch.js';
import { isUntraced } from '../../../src/http/untraced.js';
import type { Scope } from '../../../src/scope/scope.js';

const PATCHED = Symbol.for('@lexigram/monitor/cloudflare-workers/fetch');

let original: FetchFn | undefined;

/** The platform's `fetch`, as it was before the patch. */
export function platformFetch(): FetchFn {
  if (original) return original;
  const g = globalThis as { fetch: FetchFn & { [PATCHED]?: FetchFn } };
  return g.fetch[PATCHED] ?? ((input, init) => g.fetch(input, init));
}

/** Outgoing `fetch` calls made while `scope` is current go through `traced`. */
export function routeFetch(scope: Scope, traced: FetchFn): void {
  scope.tracedFetch = traced;
}

/**
 * Replaces `globalThis.fetch` once per isolate, from inside the first invocation (never at
 * module load). The replacement traces only while an instrumented invocation is current and
 * never the exporter's own requests; everything else goes straight to the platform's fetch.
 */
export function patchGlobalFetch(): void {
  const g = globalThis as { fetch?: FetchFn & { [PATCHED]?: FetchFn } };
  const current = g.fetch;
  if (typeof current !== 'function') return;
  if (current[PATCHED]) {
    original ??= current[PATCHED];
    return;
  }
  const platform: FetchFn = (input, init) => current.call(globalThis, input, init);
  original = platform;
  const fetch = function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    if (!isUntraced(init) && !isExporterRequest(input as Request | URL | string, init)) {
      const traced = contextStorage().get()?.scope?.tracedFetch;
      if (traced !== undefined) return traced(input, init);
    }
    return platform(input, init);
  } as FetchFn & { [PATCHED]?: FetchFn };
  Object.defineProperty(fetch, PATCHED, { value: platform });
  try {
    g.fetch = fetch;
  } catch {
    // a frozen global: outgoing calls stay untraced
  }
}
