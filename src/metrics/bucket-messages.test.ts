import { expect, it } from 'vitest';
import { checkBuckets } from './histogram.js';

it('a bucket given as a string is shown quoted (it read "bucket 0 is 1", which looks valid)', () => {
  expect(() => checkBuckets('h', ['1', '2'])).toThrow('histogram "h": bucket 0 is "1"; buckets must be finite numbers (+Inf is implied).');
  expect(() => checkBuckets('h', [1, NaN])).toThrow('histogram "h": bucket 1 is NaN;');
  expect(() => checkBuckets('h', [1, null])).toThrow('histogram "h": bucket 1 is null;');
});
