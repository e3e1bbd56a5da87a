/**
 * What the Prometheus exporter needs from a monitor: a way to collect cumulative metrics, and
 * (optionally) the monitor's diagnostics, where metrics left out of an exposition are counted.
 * A structural type, so this folder does not depend on the Monitor class.
 *
 * @module
 */

import { kindOf } from '../../config/option-keys.js';
import { settleQuietly } from '../../diag/callback.js';
import { errorMessage } from '../../diag/error-message.js';
import type { Diagnostic, DropReason } from '../../model/batch.js';
import type { MetricsSnapshot } from '../../model/metric-data.js';
import type { InstrumentationScope } from '../../model/resource.js';
import type { DroppedMetric, RenderOptions } from './render.js';
import type { ResourceLike } from './target.js';

/**
 * Anything that can produce a cumulative snapshot: a monitor, or a test double.
 *
 * @example
 * const source: MetricsSource = { metrics: { collect: () => snapshot } };
 */
export interface MetricsSource {
  readonly metrics: {
    collect(options: { temporality: 'cumulative' }): MetricsSnapshot;
  };
  /** A monitor's diagnostics: drops are counted in `lexigram_monitor_dropped_total` there. */
  readonly diag?: {
    count(reason: DropReason, n: number): void;
    report(kind: Diagnostic['kind'], message: string, detail?: unknown, key?: string): void;
  };
  /** A monitor's resource: the exposition's `target_info` (MET-13). */
  readonly resource?: ResourceLike;
  /**
   * The scope of the metrics collected: the `otel_scope_*` labels. A monitor's is the library's,
   * for every metric it collects (`createCounter`, the OpenTelemetry bridge's meters, its own
   * `lexigram_monitor_*`), as in OTLP; a bare `{ metrics }` gets no scope labels.
   */
  readonly instrumentationScope?: InstrumentationScope;
}

/** The options that put the resource and the scope in the exposition, as the OpenTelemetry JS exporter names them. */
export interface ExpositionOptions {
  /** Leave out the `target_info` series (the resource's attributes). Default `false`. */
  readonly withoutTargetInfo?: boolean;
  /** Leave out the `otel_scope_name` / `otel_scope_version` / `otel_scope_schema_url` labels. Default `false`. */
  readonly withoutScopeInfo?: boolean;
  /**
   * Resource attributes whose key this matches are also written as labels on every series
   * (`/^service\./` → `service_name`, …), for queries without a join on `target_info`. Default: none.
   */
  readonly withResourceConstantLabels?: RegExp;
}

/** Throws at construction for an exposition option of the wrong type: it would be read as its default unseen. */
export function checkExpositionOptions(what: string, options: ExpositionOptions): void {
  for (const k of ['withoutTargetInfo', 'withoutScopeInfo'] as const) {
    const v = options[k];
    if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`${what} option "${k}" must be true or false, got ${kindOf(v)}`);
  }
  const re = options.withResourceConstantLabels;
  if (re !== undefined && !(re instanceof RegExp)) {
    throw new TypeError(`${what} option "withResourceConstantLabels" must be a RegExp matching resource attribute keys (/^service\./), got ${kindOf(re)}`);
  }
}

/** The render options that carry the source's resource and scope into the exposition. */
export function expositionOf(source: MetricsSource, options: ExpositionOptions): Pick<RenderOptions, 'resource' | 'scope' | 'withoutTargetInfo' | 'withoutScopeInfo' | 'withResourceConstantLabels'> {
  const given = source.resource;
  const resource = given !== null && typeof given === 'object' && given.attributes !== null && typeof given.attributes === 'object' ? given : undefined;
  return {
    resource,
    scope: source.instrumentationScope,
    withoutTargetInfo: options.withoutTargetInfo,
    withoutScopeInfo: options.withoutScopeInfo,
    withResourceConstantLabels: options.withResourceConstantLabels,
  };
}

/**
 * The `onDrop` a render gets: the caller's, plus counting and reporting through the source's
 * diagnostics when it has them, so a metric left out (a name clash, MET-13) or a summary or
 * histogram point trimmed of negative values in OpenMetrics is never silent.
 * Counted as `export_rejected` on every render that leaves it out; reported once per family.
 */
export function dropHandler(source: MetricsSource, onDrop?: (dropped: DroppedMetric) => void): ((dropped: DroppedMetric) => void) | undefined {
  const diag = source.diag;
  // The user's onDrop must not throw; one that does (or rejects) must not turn a metric left out
  // into a 500 for every scrape: its failure is reported once, the metric is already counted.
  const tell = onDrop && ((d: DroppedMetric) =>
    callOnDrop(onDrop, d, (err) => diag?.report?.('export_rejected', `the onDrop option threw (${errorMessage(err)}); the metric left out is still counted`, err, 'prometheus:onDrop')));
  if (diag === undefined || typeof diag.count !== 'function') return tell;
  return (d) => {
    diag.count('export_rejected', 1);
    diag.report(
      'export_rejected',
      d.reason === 'negative_summary'
        ? `summary "${d.metric}" has negative values: OpenMetrics leaves out those and its sum; format "text" keeps them`
        : d.reason === 'negative_histogram'
        ? `histogram "${d.metric}" has a negative sum or bound: OpenMetrics leaves out its sum and count; format "text" keeps them`
        : `${d.reason === 'duplicate_series' ? 'a series of ' : ''}metric "${d.metric}" was left out of the Prometheus exposition (${d.reason}: family "${d.family}"); ${FIX[d.reason]}`,
      d,
      `prometheus:${d.reason}:${d.family}`,
    );
    tell?.(d);
  };
}

/**
 * Calls a user's `onDrop` as the library calls every user callback: a throw, or a returned
 * promise that rejects, goes to `failed` (whose own failure goes nowhere), never to the caller.
 */
export function callOnDrop(onDrop: (dropped: DroppedMetric) => unknown, d: DroppedMetric, failed: (err: unknown) => void): void {
  try {
    settleQuietly(onDrop(d), failed);
  } catch (err) {
    try {
      failed(err);
    } catch {
      // nothing left to tell
    }
  }
}

/** Throws at construction for an `onDrop` that is not a function: it would fail at the first drop. */
export function checkOnDrop(what: string, onDrop: unknown): void {
  if (onDrop !== undefined && typeof onDrop !== 'function') {
    throw new TypeError(`${what} option "onDrop" must be a function (dropped) => void, or left out, got ${kindOf(onDrop)}`);
  }
}

/** Throws at construction when the first argument cannot give metrics: a scrape would fail with a bare TypeError. */
export function checkSource(what: string, source: unknown): void {
  const metrics = (source as { metrics?: { collect?: unknown } } | null | undefined)?.metrics;
  if (typeof metrics?.collect !== 'function') {
    throw new TypeError(`${what}: the first argument must be the monitor (or an object with metrics.collect()), got ${kindOf(source)}`);
  }
}

/** What to change, per reason a metric or series is left out. */
const FIX: Record<string, string> = {
  name_conflict: 'rename one of the clashing metrics',
  delta_temporality: 'collect it with temporality "cumulative"',
  // Label names are made valid (`.` → `_`, `le` → `key_le`), and an empty value is no label
  // (PR-03): two sets can then be one.
  duplicate_series: 'rename the labels that are equal once made valid Prometheus names (an empty label value counts as no label)',
  label_conflict: 'rename the label the receiver sets',
};
