import { describe, expect, it } from 'vitest';
import { SLO, type SLOOptions } from './slo.js';

// Values read from an env var arrive as strings: "target must be … such as 99.9; got 99.9" named
// the value the user believed valid without saying that it was text.
describe('new SLO(): a wrong option value is shown as given, so a string from an env var is recognisable', () => {
  const make = (o: Partial<Record<keyof SLOOptions, unknown>>) => () => new SLO({ name: 'checkout', target: 99.9, windowSeconds: 3600, ...o } as SLOOptions);
  it('target, windowSeconds, thresholdMs, bucketSeconds and minEvents given as strings say so', () => {
    expect(make({ target: '99.9' })).toThrow(/^SLO "checkout": target must be a percentage .* got "99\.9"$/);
    expect(make({ windowSeconds: '3600' })).toThrow(/^SLO "checkout": windowSeconds must be a positive number of seconds, got "3600"$/);
    expect(make({ kind: 'latency', thresholdMs: '300' })).toThrow(/^SLO "checkout": a latency SLO needs thresholdMs, a number of milliseconds > 0, got "300"$/);
    expect(make({ bucketSeconds: '60' })).toThrow(/^SLO "checkout": bucketSeconds must be a number of seconds > 0 and at most windowSeconds \(3600\), got "60"$/);
    expect(make({ minEvents: '10' })).toThrow(/^SLO "checkout": minEvents must be a finite number ≥ 0, got "10"$/);
  });
  it('numbers out of range still show the number', () => {
    expect(make({ target: 100 })).toThrow(/got 100 \(100 % leaves no error budget: nothing could ever fail; use a target below it, such as 99\.99\)$/);
    expect(make({ target: 0.9999999999999999 })).toThrow(/100 % leaves no error budget/);
    expect(make({ target: 0 })).toThrow(/got 0$/);
    expect(make({ bucketSeconds: 7200 })).toThrow(/at most windowSeconds \(3600\), got 7200$/);
    expect(make({ kind: 'latency' })).toThrow(/needs thresholdMs, a number of milliseconds > 0, got undefined$/);
  });
});
