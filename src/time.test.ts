import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, msToUnixNano, msToUnixNanoParts, now, timerMs } from './time.js';

describe('time', () => {
  it('timerMs clamps delays to the 2^31-1 ms that setTimeout honours', () => {
    expect(timerMs(5)).toBe(5);
    expect(timerMs(MAX_TIMER_MS)).toBe(2147483647);
    expect(timerMs(30 * 86400 * 1000)).toBe(2147483647);
  });

  it('now() reads epoch milliseconds', () => {
    expect(Math.abs(now() - Date.now())).toBeLessThan(1000);
  });

  it('OTLP-J9: converts to nanoseconds exactly, without float multiplication', () => {
    for (const ms of [1544712660000, 1544712660000.5, 1700000000123.456789, 1, 0.000001, 1999999999999.9999996]) {
      const whole = BigInt(Math.floor(ms));
      let frac = BigInt(Math.round((ms - Math.floor(ms)) * 1e6));
      const expected = whole * 1000000n + frac;
      expect(msToUnixNano(ms)).toBe(expected.toString());
      const { lo, hi } = msToUnixNanoParts(ms);
      expect((BigInt(hi) << 32n) + BigInt(lo)).toBe(expected);
    }
    expect(msToUnixNano(1544712660000)).toBe('1544712660000000000');
  });

  it('maps non-positive and NaN times to 0', () => {
    expect(msToUnixNano(0)).toBe('0');
    expect(msToUnixNano(Number.NaN)).toBe('0');
    expect(msToUnixNanoParts(-5)).toEqual({ lo: 0, hi: 0 });
  });
});

describe('timeInput', () => {
  it('keeps real times and replaces the unusable ones with now (so no export can carry them)', async () => {
    const { timeInput, MAX_TIME_MS } = await import('./time.js');
    expect(timeInput(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(timeInput(new Date(1_700_000_000_000))).toBe(1_700_000_000_000);
    for (const bad of [Number.MAX_VALUE, Infinity, -1, 0, NaN, MAX_TIME_MS, new Date(NaN)]) {
      expect(Math.abs(timeInput(bad) - Date.now())).toBeLessThan(1000);
    }
  });
});
