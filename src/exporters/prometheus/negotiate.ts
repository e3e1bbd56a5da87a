/**
 * Content negotiation for `/metrics` (PT-10): the Accept list is parsed with q-values and
 * OpenMetrics 1.0.0 is chosen only when it is acceptable and weighted strictly higher than
 * text 0.0.4. Ties and unknown lists fall back to 0.0.4, which every scraper reads.
 *
 * @module
 */

import type { ExpositionFormat } from './render.js';

/** The one concrete Content-Type sent for each format (PT-01, OM-01). */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

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
  let qText = 0;
  let qOm = 0;
  for (const range of accept.split(',')) {
    const parts = range.split(';');
    const type = parts[0]!.trim().toLowerCase();
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
    if (q === 0) continue;
    if (type === '*/*') {
      if (q > qText) qText = q;
      if (q > qOm) qOm = q;
    } else if (type === 'text/plain' || type === 'text/*') {
      if ((version === undefined || version === '0.0.4') && q > qText) qText = q;
    } else if (type === 'application/openmetrics-text' || type === 'application/*') {
      if ((version === undefined || version === '1.0.0') && q > qOm) qOm = q;
    }
  }
  return qOm > qText ? 'openmetrics' : 'text';
}
