/**
 * The resource and the instrumentation scope in the exposition (MET-13, OpenTelemetry's
 * Prometheus compatibility rules): the resource as the one `target_info` series, the scope as
 * `otel_scope_name` / `otel_scope_version` / `otel_scope_schema_url` labels on every series.
 * Both are built once per render, never per series.
 *
 * @module
 */

import type { AttributeValue } from '../../model/attributes.js';
import type { PointAttributes } from '../../model/metric-data.js';
import type { InstrumentationScope } from '../../model/resource.js';
import { escapeLabelValue } from './escape.js';
import { labelBody, labelPairs } from './labels.js';

/** What a render needs of a resource: its attributes (a Monitor's `resource`). */
export interface ResourceLike {
  readonly attributes: Readonly<Record<string, AttributeValue | undefined>>;
}

/** `target_info`: the OpenMetrics family name is `target`, its one sample `target_info` (OM info type). */
export const TARGET_CLAIMS: readonly string[] = ['target', 'target_info'];

/**
 * An attribute value as label text: strings as they are, arrays as JSON (MET-13 "JSON-like"),
 * other values by String(). `undefined` when the attribute has no value.
 */
function attributeText(v: AttributeValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}

/** The resource's attributes as label text, in the form `labelBody` reads. */
function stringAttributes(attributes: ResourceLike['attributes'], keep?: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in attributes) {
    // `search` ignores a `g` flag's lastIndex, so a global RegExp matches every key alike.
    if (keep !== undefined && key.search(keep) === -1) continue;
    const text = attributeText(attributes[key]);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

// One body per resource object: the resource is fixed for a monitor's life.
const targetCache = new WeakMap<object, string>();

/**
 * The `target_info` lines, `''` for an empty resource (nothing to say). Text 0.0.4 has no info
 * type: a gauge named `target_info` (as the spec and the OpenTelemetry JS exporter write it);
 * OpenMetrics: the info family `target`. The labels are the resource attributes, sanitised as
 * series labels are (`service.name` → `service_name`), and nothing else: Prometheus adds the
 * scrape's `job` and `instance`, on which `target_info` joins the other series.
 */
export function targetInfoLines(resource: ResourceLike, om: boolean): string {
  let body = targetCache.get(resource);
  if (body === undefined) {
    body = labelBody(stringAttributes(resource.attributes) as PointAttributes);
    targetCache.set(resource, body);
  }
  if (body === '') return '';
  return om
    ? '# TYPE target info\n# HELP target Target metadata\ntarget_info{' + body + '} 1\n'
    : '# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{' + body + '} 1\n';
}

/** Labels a render adds to every series: names (to find series that already have one) and text. */
export interface ExtraLabels {
  readonly names: readonly string[];
  /** `k="v",…` for every name. */
  readonly body: string;
  /** Each name's `k="v"`, in `names` order, for a series that has some of them itself. */
  readonly parts: readonly string[];
  /** Each name followed by `="`, what a series' label text holds when it has that label. */
  readonly needles: readonly string[];
  /** `,` + body, what most series get appended. */
  readonly tail: string;
  /** The start all names share when long enough to test for once (`otel_scope_`), else `''`. */
  readonly prefix: string;
}

/**
 * The labels every series gets: the scope's (`otel_scope_name`, `otel_scope_version` and
 * `otel_scope_schema_url`, each only when not empty, as an empty label is no label, PR-03), then
 * the resource attributes matched by `constantLabels` (`withResourceConstantLabels`).
 * `undefined` when there are none.
 */
export function extraLabels(scope: InstrumentationScope | undefined, resource: ResourceLike | undefined, constantLabels: RegExp | undefined): ExtraLabels | undefined {
  const names: string[] = [];
  const parts: string[] = [];
  const add = (name: string, value: string): void => {
    if (value === '' || names.includes(name)) return;
    names.push(name);
    parts.push(name + '="' + escapeLabelValue(value) + '"');
  };
  if (scope !== undefined) {
    add('otel_scope_name', scope.name ?? '');
    add('otel_scope_version', scope.version ?? '');
    add('otel_scope_schema_url', scope.schemaUrl ?? '');
  }
  if (resource !== undefined && constantLabels !== undefined) {
    // In key order; named and merged as a series' own labels are (MET-13).
    const attrs = stringAttributes(resource.attributes, constantLabels);
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(attrs).sort()) sorted[key] = attrs[key]!;
    for (const [name, value] of labelPairs(sorted as PointAttributes)) add(name, value);
  }
  if (names.length === 0) return undefined;
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return { names, body: parts.join(','), parts, needles: names.map((n) => n + '="'), tail: ',' + parts.join(','), prefix: prefix.length >= 4 ? prefix : '' };
}

/**
 * A series' labels with the extra labels added. A series that already has a label of one of
 * those names keeps its own value, and that extra label is left out of this series only: a label
 * twice in one series makes the whole scrape fail. `body` is the series' own label text.
 */
export function withExtraLabels(body: string, extra: ExtraLabels): string {
  if (body === '') return extra.body;
  // Cheap test first: a label name is at the start or after a `,`, followed by `="`; any other
  // `="` in the text ends a value (a `"` inside a value is escaped). Nearly every series fails it.
  if (extra.prefix !== '' && body.indexOf(extra.prefix) === -1) return body + extra.tail;
  let own: string[] | undefined;
  for (let i = 0; i < extra.needles.length; i++) {
    if (body.indexOf(extra.needles[i]!) === -1) continue;
    const name = extra.names[i]!;
    if (hasLabel(body, name)) (own ??= []).push(name);
  }
  if (own === undefined) return body + extra.tail;
  let out = body;
  for (let i = 0; i < extra.names.length; i++) if (!own.includes(extra.names[i]!)) out += ',' + extra.parts[i]!;
  return out;
}

/** Whether `body` (label text `k="v",…`) has a label named `name`: walks it label by label. */
function hasLabel(body: string, name: string): boolean {
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('="', i);
    if (eq === -1) return false;
    if (body.slice(i, eq) === name) return true;
    // Skip the value: up to the first `"` not escaped.
    let j = eq + 2;
    while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
    i = j + 2; // past `",`
  }
  return false;
}
