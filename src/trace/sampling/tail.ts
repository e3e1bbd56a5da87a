import type { SpanData } from '../../model/span-data.js';
import { SpanStatus } from '../../model/span-data.js';
import { checkRatio } from './samplers.js';
import { kindOf } from '../../config/option-keys.js';

/**
 * A tail-sampling policy sees every finished span of one trace in a scope (request) and
 * says whether to export them. Because a whole request is in hand at flush, "keep every
 * error and every slow request, sample the rest" is exact, not a guess.
 */
export type TailPolicy = (spans: readonly SpanData[]) => boolean;

/** Options form of tail sampling: a trace is kept if any rule says so, and dropped otherwise. */
export interface TailSamplingOptions {
  /** Keep traces with a span whose status is ERROR (default true). */
  keepErrors?: boolean;
  /** Keep traces whose longest span lasted at least this many milliseconds. */
  slowerThanMs?: number;
  /** Share of the other traces to keep, in [0, 1] (default 0: only those another rule keeps). */
  ratio?: number;
  /** Extra rules: a trace is kept when any returns true. */
  policies?: TailPolicy[];
}

export const keepErrors = (): TailPolicy => (spans) => spans.some((s) => s.status.code === SpanStatus.ERROR);

export const keepSlowerThan =
  (ms: number): TailPolicy =>
  (spans) =>
    spans.some((s) => s.endTime - s.startTime >= ms);

/** Keeps a deterministic share of traces, by trace id, so every isolate agrees. */
export const keepRatio =
  (ratio: number): TailPolicy =>
  (spans) => {
    if (ratio >= 1) return true;
    if (ratio <= 0 || spans.length === 0) return false;
    const r = parseInt(spans[0].traceId.slice(16, 24), 16) / 0xffffffff;
    return r < ratio;
  };

export const anyOf =
  (...policies: TailPolicy[]): TailPolicy =>
  (spans) =>
    policies.some((p) => p(spans));

/** Builds one policy from the configuration, throwing on invalid values. */
export function createTailPolicy(config: TailSamplingOptions | TailPolicy | undefined): TailPolicy | undefined {
  if (config === undefined) return undefined;
  if (typeof config === 'function') return config;
  if (config === null || typeof config !== 'object') {
    throw new TypeError('createMonitor: `tailSampling` must be an options object or a function of the finished spans.');
  }
  const rules: TailPolicy[] = [];
  // 'false' read from an env var, or a policy given where the list goes, would pass unseen.
  if (config.keepErrors !== undefined && typeof config.keepErrors !== 'boolean') {
    throw new TypeError(`createMonitor: \`tailSampling.keepErrors\` must be true or false, got ${kindOf(config.keepErrors)}.`);
  }
  if (config.policies !== undefined && !Array.isArray(config.policies)) {
    throw new TypeError(`createMonitor: \`tailSampling.policies\` must be an array of functions of the finished spans, got ${kindOf(config.policies)}.`);
  }
  if (config.keepErrors !== false) rules.push(keepErrors());
  if (config.slowerThanMs !== undefined) {
    if (typeof config.slowerThanMs !== 'number' || !(config.slowerThanMs >= 0)) {
      throw new RangeError(`createMonitor: \`tailSampling.slowerThanMs\` must be a number ≥ 0, got ${kindOf(config.slowerThanMs)}.`);
    }
    rules.push(keepSlowerThan(config.slowerThanMs));
  }
  // No default share: a rule that kept every trace would leave the others without effect.
  if (config.ratio !== undefined) rules.push(keepRatio(checkRatio(config.ratio, '`tailSampling.ratio`')));
  for (const p of config.policies ?? []) {
    if (typeof p !== 'function') throw new TypeError(`createMonitor: \`tailSampling.policies\` must be functions of the finished spans, got ${kindOf(p)}.`);
    rules.push(p);
  }
  // `{ keepErrors: false }` alone would drop every trace unseen: said here instead.
  if (rules.length === 0) throw new TypeError('createMonitor: `tailSampling` keeps no trace; give `ratio`, `slowerThanMs` or `policies`, or leave `keepErrors` true.');
  return anyOf(...rules);
}

/**
 * The trace ids a policy kept recently, so that spans of a kept trace exported later (a child
 * ended after its request's scope closed, or the same trace in another scope) are kept too,
 * rather than judged alone, and histogram exemplars name only such traces. Bounded: the oldest
 * ids are forgotten first.
 */
export class KeptTraces {
  readonly #ids = new Set<string>();
  readonly #max: number;
  constructor(max = 4096) {
    this.#max = max;
  }
  has(traceId: string): boolean {
    return this.#ids.has(traceId);
  }
  add(traceId: string): void {
    const ids = this.#ids;
    if (ids.has(traceId)) return;
    if (ids.size >= this.#max) ids.delete(ids.values().next().value as string);
    ids.add(traceId);
  }
}

/** Applies a policy per trace, keeping span order; a trace in `kept` is kept without asking. */
export function applyTailPolicy(spans: readonly SpanData[], policy: TailPolicy, kept?: KeptTraces): { kept: SpanData[]; droppedTraces: number } {
  const byTrace = new Map<string, SpanData[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  const keep = new Set<string>();
  let droppedTraces = 0;
  for (const [traceId, list] of byTrace) {
    if (kept?.has(traceId)) {
      keep.add(traceId);
      continue;
    }
    let ok = true;
    try {
      ok = policy(list);
    } catch {
      ok = true; // a throwing policy keeps the data rather than losing it
    }
    if (ok) {
      keep.add(traceId);
      kept?.add(traceId);
    } else droppedTraces++;
  }
  return { kept: spans.filter((s) => keep.has(s.traceId)), droppedTraces };
}
