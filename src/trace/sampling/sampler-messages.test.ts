/**
 * A sampler configuration that cannot mean what was written throws at construction, saying what
 * was given and what to write instead: a ratio given to a sampler that takes none (it was ignored:
 * every trace kept), a bare ratio or an object without `type` ("unknown sampler undefined"), and
 * a ratio out of range under the key it was given as.
 */
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../index.js';
import { createSampler } from './samplers.js';

describe('sampler configuration messages', () => {
  it('a ratio given to always_on, always_off or their parent-based forms throws, naming the samplers that take one', () => {
    for (const type of ['always_on', 'always_off', 'parentbased_always_on', 'parentbased_always_off'] as const) {
      expect(() => createSampler({ type, ratio: 0.1 })).toThrow(`createSampler: sampler "${type}" takes no ratio; \`sampler.ratio\` goes with traceidratio or parentbased_traceidratio.`);
    }
    expect(() => createMonitor({ backends: [], sampler: { type: 'parentbased_always_on', rate: 0.1 } })).toThrow(
      'createMonitor: sampler "parentbased_always_on" takes no ratio; `sampler.rate` goes with traceidratio or parentbased_traceidratio.',
    );
    expect(() => createSampler({ type: 'always_on' })).not.toThrow();
  });

  it('a bare ratio, or an object without `type`, says what was given instead of "unknown sampler undefined"', () => {
    expect(() => createMonitor({ backends: [], sampler: 0.1 as never })).toThrow(/^createMonitor: `sampler` is 0\.1; use one of always_on, .*\{ type: 'traceidratio', ratio: 0\.1 \}/);
    expect(() => createMonitor({ backends: [], sampler: { ratio: 0.1 } as never })).toThrow(/^createMonitor: `sampler\.type` is missing; use one of always_on, /);
    expect(() => createSampler(['always_on'] as never)).toThrow(/^createSampler: `sampler` is an array; use one of/);
    expect(() => createSampler({ type: 'sometimes' } as never)).toThrow(/^createSampler: unknown sampler "sometimes"; use one of/);
  });

  it('a ratio out of range is named by the key it was given as', () => {
    expect(() => createSampler({ type: 'traceidratio', rate: 2 })).toThrow('createSampler: `sampler.rate` must be a number in [0, 1], got 2.');
    expect(() => createSampler({ type: 'probability', ratio: 2 })).toThrow('createSampler: `sampler.ratio` must be a number in [0, 1], got 2.');
    expect(() => createSampler({ type: 'parentbased_traceidratio', ratio: -1 })).toThrow('createSampler: `sampler.ratio` must be a number in [0, 1], got -1.');
    expect(createSampler({ type: 'traceidratio', rate: 0.25 }).toString()).toBe('TraceIdRatioBased{0.25}');
  });
});
