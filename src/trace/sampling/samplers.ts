import { kindOf, unknownOption } from '../../config/option-keys.js';
import type { SpanContext } from '../../model/span-data.js';

/** Sampling decisions (SMP-04). */
export const SamplingDecision = { DROP: 0, RECORD_ONLY: 1, RECORD_AND_SAMPLE: 2 } as const;
export type SamplingDecision = (typeof SamplingDecision)[keyof typeof SamplingDecision];

/** A head sampler: decides when a span starts whether it is recorded and sampled. */
export interface Sampler {
  shouldSample(traceId: string, parent: SpanContext | undefined, name: string): SamplingDecision;
  toString(): string;
}

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/**
 * How a sampler is configured: a name (the `OTEL_TRACES_SAMPLER` values), an object with
 * `type` and `ratio`, the original's `{ type: 'probability', rate }`, or a `Sampler`.
 */
export type SamplerConfig =
  | SamplerName
  | { type: SamplerName | 'probability'; ratio?: number; rate?: number }
  | Sampler;

export const alwaysOn: Sampler = {
  shouldSample: () => SamplingDecision.RECORD_AND_SAMPLE,
  toString: () => 'AlwaysOnSampler',
};

export const alwaysOff: Sampler = {
  shouldSample: () => SamplingDecision.DROP,
  toString: () => 'AlwaysOffSampler',
};

/**
 * Deterministic on the trace id and monotone in the ratio (SMP-01), with the algorithm of
 * the OpenTelemetry JS SDK (xor of the four 32-bit words), so decisions agree with it.
 */
export function traceIdRatio(ratio: number): Sampler {
  const r = Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
  const bound = Math.floor(r * 0xffffffff);
  return {
    shouldSample(traceId) {
      if (r >= 1) return SamplingDecision.RECORD_AND_SAMPLE;
      let acc = 0;
      for (let i = 0; i < 32; i += 8) {
        const w = parseInt(traceId.slice(i, i + 8), 16);
        if (Number.isNaN(w)) return SamplingDecision.DROP;
        acc = (acc ^ w) >>> 0;
      }
      return acc < bound ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP;
    },
    toString: () => `TraceIdRatioBased{${r}}`,
  };
}

/** Follows the parent's sampled flag; asks `root` when there is no parent (SMP-03). */
export function parentBased(root: Sampler): Sampler {
  return {
    shouldSample(traceId, parent, name) {
      if (!parent) return root.shouldSample(traceId, parent, name);
      return parent.traceFlags & 1 ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP;
    },
    toString: () => `ParentBased{root=${root.toString()}}`,
  };
}

/**
 * The default sampler, `parentbased_always_on`: one shared instance, which the tracer
 * recognises and decides inline (sampled unless the parent is not).
 */
export const parentBasedAlwaysOn: Sampler = /* @__PURE__ */ parentBased(alwaysOn);

/** The `OTEL_TRACES_SAMPLER` values this library implements. */
export const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** A ratio option (`where` names it in the error, `who` the call that was given it): a number in [0, 1], 1 when absent. */
export function checkRatio(v: unknown, where: string, who = 'createMonitor'): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new RangeError(`${who}: ${where} must be a number in [0, 1], got ${kindOf(v)}.`);
  }
  return v;
}

/**
 * Builds a sampler from its configuration, throwing on unknown names, keys and ratios outside [0, 1];
 * the errors name `who` (the monitor passes `createMonitor`, whose option it was).
 */
export function createSampler(config: SamplerConfig | undefined, who = 'createSampler'): Sampler {
  if (config === undefined) return parentBasedAlwaysOn;
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    if (typeof (config as Sampler).shouldSample === 'function') return config as Sampler;
    // A misspelt key (ratoi, or a custom sampler's shouldsample) would leave the default in force: every trace kept.
    for (const [k, v] of Object.entries(config)) {
      if (k === 'shouldSample') throw new TypeError(`${who}: sampler.shouldSample must be a function (traceId, parent, name) => SamplingDecision, got ${typeof v}.`);
      if (k !== 'type' && k !== 'ratio' && k !== 'rate') {
        unknownOption(who, `sampler.${k}`, typeof v == 'function' ? ['shouldSample(traceId, parent, name) of a custom sampler'] : ['sampler.type', 'sampler.ratio', 'sampler.rate']);
      }
    }
  }
  const obj = typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as { type?: unknown; ratio?: unknown; rate?: unknown }) : undefined;
  const type = typeof config === 'string' ? config : obj?.type;
  // The key given is the one an error names (`rate` given to traceidratio is read as its ratio).
  const key = obj?.ratio !== undefined ? '`sampler.ratio`' : '`sampler.rate`';
  const ratioIn = obj?.ratio ?? obj?.rate;
  // A ratio given to a sampler that takes none would be ignored unseen: every trace kept, or none.
  if (ratioIn !== undefined && /^(parentbased_)?always_o(n|ff)$/.test(type as string)) {
    throw new TypeError(`${who}: sampler "${type as string}" takes no ratio; ${key} goes with traceidratio or parentbased_traceidratio.`);
  }
  switch (type) {
    case 'always_on':
      return alwaysOn;
    case 'always_off':
      return alwaysOff;
    case 'parentbased_always_on':
      return parentBasedAlwaysOn;
    case 'parentbased_always_off':
      return parentBased(alwaysOff);
    case 'traceidratio':
      return traceIdRatio(checkRatio(ratioIn, key, who));
    case 'probability':
      return parentBased(traceIdRatio(checkRatio(ratioIn, key, who)));
    case 'parentbased_traceidratio':
      return parentBased(traceIdRatio(checkRatio(ratioIn, key, who)));
    default:
      // What was given: a name not known, an object without `type`, or no sampler at all (a bare ratio).
      throw new TypeError(
        `${who}: ${type !== undefined ? `unknown sampler ${kindOf(type)}` : obj ? '`sampler.type` is missing' : `\`sampler\` is ${kindOf(config)}`}; use one of ${SAMPLER_NAMES.join(', ')}, ` +
          `{ type: 'traceidratio', ratio: 0.1 }, { type: 'probability', rate: 0.1 }, or an object with shouldSample().`,
      );
  }
}
