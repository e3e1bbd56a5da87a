/**
 * Content negotiation for `/metrics` (PT-10): the Accept list is parsed with q-values and
 * OpenMetrics 1.0.0 is chosen only when it is acceptable and weighted strictly higher than
 * text 0.0.4. Ties and unknown lists fall back to 0.0.4, which every scraper reads. The
 * Accept-Encoding list says whether the body may go gzipped.
 *
 * @module
 */

import type { ExpositionFormat } from './render.js';

/** The one concrete Content-Type sent for each format (PT-01, OM-01). */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  // Names are written with underscores for other characters: said so, as Prometheus 3 asks (PT-10).
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores',
};

/** The items of an Accept or Accept-Encoding list: lower-cased name, q (0 when malformed), version. */
function items(list: string): { name: string; q: number; version: string | undefined }[] {
  return list.split(',').map((item) => {
    const parts = item.split(';');
    let q = 1;
    let version: string | undefined;
    for (let i = 1; i < parts.length; i++) {
      const p = parts[i]!;
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') {
        const n = Number(value);
        q = value !== '' && n >= 0 && n <= 1 ? n : 0;
      } else if (key === 'version') version = value;
    }
    return { name: parts[0]!.trim().toLowerCase(), q, version };
  });
}

/**
 * Picks the exposition format for an Accept header value.
 *
 * @example
 * negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2') // 'openmetrics'
 * negotiateFormat('*\/*') // 'text'
 * negotiateFormat(null)  // 'text'
 */
export function negotiateFormat(accept: string | null | undefined): ExpositionFormat {
  if (!accept) return 'text';
  // Per format, the q of the most specific range that matches it (RFC 9110 §12.5.1): a
  // version-matched type beats the bare type, which beats `type/*`, which beats `*/*`; so
  // `text/plain;q=0, */*` rules text out rather than letting `*/*` bring it back.
  const text = { rank: -1, q: 0 };
  const om = { rank: -1, q: 0 };
  const offer = (f: { rank: number; q: number }, rank: number, q: number): void => {
    if (rank > f.rank) {
      f.rank = rank;
      f.q = q;
    } else if (rank === f.rank && q > f.q) f.q = q;
  };
  for (const { name: type, q, version } of items(accept)) {
    if (type === '*/*') {
      offer(text, 0, q);
      offer(om, 0, q);
    } else if (type === 'text/*') offer(text, 1, q);
    else if (type === 'application/*') offer(om, 1, q);
    else if (type === 'text/plain') {
      if (version === undefined) offer(text, 2, q);
      else if (version === '0.0.4') offer(text, 3, q);
    } else if (type === 'application/openmetrics-text') {
      if (version === undefined) offer(om, 2, q);
      else if (version === '1.0.0') offer(om, 3, q);
    }
  }
  return om.q > text.q ? 'openmetrics' : 'text';
}

/**
 * Whether an Accept-Encoding value accepts gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) with
 * q > 0, else `*` with q > 0. No header means identity only.
 *
 * @example
 * acceptsGzip('gzip') // true
 * acceptsGzip('gzip;q=0, *') // false
 * acceptsGzip(null) // false
 */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  // The named coding rules over `*`, as a version-matched type rules over `*/*` above.
  let gzip = -1;
  let any = 0;
  for (const { name, q } of items(acceptEncoding ?? '')) {
    if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip, q);
    else if (name === '*') any = Math.max(any, q);
  }
  return (gzip < 0 ? any : gzip) > 0;
}
