/**
 * Name rules checked when an instrument is created (configuration errors throw there, never
 * in a hot path). Instrument names follow OpenTelemetry (MET-12), which also admits every
 * Prometheus-style name without colons; label names follow Prometheus (PR-01) plus the dots of
 * OpenTelemetry attribute keys (`http.request.method`), which the Prometheus renderer sanitises.
 */
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
// The OpenTelemetry API's rule: an ASCII string of at most 63 characters. Printable only, space
// included (`{job run}`), so a unit cannot break a console or exposition line.
const UNIT = /^[\x20-\x7e]{0,63}$/;

export function checkMetricName(name: unknown): string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new TypeError(`invalid metric name ${JSON.stringify(name)}: use 1–255 ASCII letters, digits, "_", ".", "-" or "/", starting with a letter (such as "http_requests_total").`);
  }
  return name;
}

export function isValidLabelName(name: string): boolean {
  return name.length <= 256 && LABEL_NAME.test(name) && !name.startsWith('__');
}

export function checkLabelNames(metric: string, names: unknown, reserved: readonly string[]): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) throw new TypeError(`metric "${metric}": \`labelNames\` must be an array of strings.`);
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || !isValidLabelName(n)) {
      throw new TypeError(
        `metric "${metric}": invalid label name ${JSON.stringify(n)}; label names match [a-zA-Z_][a-zA-Z0-9_.]* and must not start with "__".`,
      );
    }
    if (reserved.includes(n)) throw new TypeError(`metric "${metric}": the label name "${n}" is reserved for this metric type.`);
    if (seen.has(n)) throw new TypeError(`metric "${metric}": the label name "${n}" appears twice in \`labelNames\`.`);
    seen.add(n);
  }
  return [...seen].sort();
}

/** Whether the core accepts `unit` (up to 63 printable ASCII characters, space included). */
export function isValidUnit(unit: unknown): unit is string {
  return typeof unit === 'string' && UNIT.test(unit);
}

export function checkUnit(metric: string, unit: unknown): string {
  if (unit === undefined) return '';
  if (!isValidUnit(unit)) {
    throw new TypeError(`metric "${metric}": \`unit\` must be up to 63 printable ASCII characters (a UCUM unit such as "s", "By" or "{request}").`);
  }
  return unit;
}

export function checkHelp(metric: string, help: unknown): string {
  if (help === undefined) return '';
  if (typeof help !== 'string') throw new TypeError(`metric "${metric}": \`help\` must be a string.`);
  return help;
}
