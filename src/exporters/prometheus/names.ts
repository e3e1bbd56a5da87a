/**
 * OpenTelemetry → Prometheus name translation (MET-13, PR-01).
 *
 * Names are translated once per distinct input and cached: the same instrument is rendered
 * on every scrape, and the regex work would otherwise dominate small expositions.
 *
 * @module
 */

const INVALID_NAME_CHARS = /[^a-zA-Z0-9_:]+/g;
// Colons are valid in Prometheus names but reserved for recording rules (PR-01), and label
// names never allow them, so labels use a stricter set.
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]+/g;
const UNDERSCORE_RUNS = /__+/g;
const CACHE_LIMIT = 10_000;

const metricNameCache = new Map<string, string>();
const labelNameCache = new Map<string, string>();

function remember(cache: Map<string, string>, key: string, value: string): string {
  // A bounded cache: a program that invents names without end must not grow memory without end.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * Makes any string a valid Prometheus metric name: characters outside `[a-zA-Z0-9_:]` become
 * `_`, runs of `_` collapse to one, and a leading digit gets a `_` prefix (MET-13).
 *
 * @example
 * sanitizeMetricName('http.server.request.duration') // 'http_server_request_duration'
 * sanitizeMetricName('2xx-responses')                // '_2xx_responses'
 */
export function sanitizeMetricName(name: string): string {
  const cached = metricNameCache.get(name);
  if (cached !== undefined) return cached;
  let out = name.replace(INVALID_NAME_CHARS, '_').replace(UNDERSCORE_RUNS, '_');
  if (out === '') out = '_';
  else if (out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57) out = '_' + out;
  return remember(metricNameCache, name, out);
}

/**
 * Makes an attribute key a valid, non-reserved Prometheus label name. Invalid characters become
 * `_` and runs collapse (MET-13); a leading digit gets `key_`, and a leading `_` gets `key`,
 * because `__` is reserved to Prometheus and OpenMetrics reserves any leading `_` (PR-01).
 *
 * @example
 * sanitizeLabelName('http.method') // 'http_method'
 * sanitizeLabelName('__name__')    // 'key_name_'
 * sanitizeLabelName('0day')        // 'key_0day'
 */
export function sanitizeLabelName(key: string): string {
  const cached = labelNameCache.get(key);
  if (cached !== undefined) return cached;
  let out = key.replace(INVALID_LABEL_CHARS, '_').replace(UNDERSCORE_RUNS, '_');
  if (out === '') out = 'key_';
  else {
    const c = out.charCodeAt(0);
    if (c >= 48 && c <= 57) out = 'key_' + out;
    else if (c === 95) out = 'key' + out;
  }
  return remember(labelNameCache, key, out);
}
