import { describe, expect, it } from 'vitest';
import { SpanKind } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// `traced({ spanKind })(fn)` threw "to wrap a function, pass it: traced(fn)": followed, that drops
// the options. The hint names the form that keeps them, as `traced('name')(fn)`'s keeps the name.
describe('the decorator of (options) called with a function', () => {
  const charge = async (cents: number): Promise<number> => cents;
  const any = (f: unknown) => f as (...a: unknown[]) => unknown;

  it('traced names the options it was given', () => {
    expect(() => any(traced({ spanKind: SpanKind.CLIENT }))(charge)).toThrow('@traced() decorates class methods; to wrap a function, pass it: traced(fn, { spanKind })');
    const { monitor } = createTestMonitor();
    expect(() => any(traced('charge', { monitor, spanKind: SpanKind.CLIENT }))(charge)).toThrow('pass it: traced("charge", fn, { monitor, spanKind })');
  });

  it('metered names the options it was given', () => {
    expect(() => any(metered({ labels: { region: 'eu' } }))(charge)).toThrow('@metered() decorates class methods; to wrap a function, pass it: metered(fn, { labels })');
    expect(() => any(metered('charge', { buckets: [1, 2] }))(charge)).toThrow('pass it: metered("charge", fn, { buckets })');
  });

  it('without options the hint is unchanged', () => {
    expect(() => any(traced())(charge)).toThrow(/pass it: traced\(fn\)$/);
    expect(() => any(metered('charge'))(charge)).toThrow(/pass it: metered\("charge", fn\)$/);
    expect(() => any(traced({}))(charge)).toThrow(/pass it: traced\(fn\)$/);
  });
});
