/**
 * A number given as text (a Workers var, an environment variable read by hand) is quoted in the
 * error, so `got "0.5"` does not read as a valid 0.5: sampler ratios, tail sampling's
 * `slowerThanMs` and `limits.*` say so as createMonitor's numeric options do.
 */
import { expect, it } from 'vitest';
import { createMonitor } from '../index.js';
import { NoOpBackend } from '../testing/index.js';

const make = (options: object) => () => createMonitor({ backends: [new NoOpBackend()], ...options });

it('sampler.ratio, tailSampling.slowerThanMs and limits.* given as text are quoted in the error', () => {
  expect(make({ sampler: { type: 'traceidratio', ratio: '0.5' } })).toThrow(/`sampler\.ratio` must be a number in \[0, 1\], got "0\.5"\.$/);
  expect(make({ tailSampling: { slowerThanMs: '500' } })).toThrow(/`tailSampling\.slowerThanMs` must be a number ≥ 0, got "500"\.$/);
  expect(make({ limits: { cardinalityLimit: '2000' } })).toThrow(/`limits\.cardinalityLimit` must be an integer ≥ 1 \(or Infinity\), got "2000"\.$/);
});

it('numbers out of range are shown as written, other values by kind', () => {
  expect(make({ sampler: { type: 'traceidratio', ratio: 1.5 } })).toThrow(/got 1\.5\.$/);
  expect(make({ tailSampling: { slowerThanMs: -1 } })).toThrow(/got -1\.$/);
  expect(make({ limits: { cardinalityLimit: { n: 1 } } })).toThrow(/got an object\.$/);
});
