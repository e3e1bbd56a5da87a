import { describe, expect, test } from 'vitest';
import { holdWaitUntil } from './hold-wait-until.js';

/** A ctx as workerd's: its waitUntil on a prototype, run with `ctx` as `this`. */
class Ctx {
  readonly handed: Promise<unknown>[] = [];
  waitUntil(p: Promise<unknown>): void {
    this.handed.push(p);
  }
}

describe('holdWaitUntil on one ctx', () => {
  test('overlapping invocations: whichever ends first, ctx gets the runtime’s waitUntil back once both have', async () => {
    for (const olderFirst of [true, false]) {
      const ctx = new Ctx() as Ctx & { waitUntil: Ctx['waitUntil'] };
      const runtime = ctx.waitUntil;
      const a = holdWaitUntil(ctx, ctx.waitUntil, 1000)!;
      const b = holdWaitUntil(ctx, ctx.waitUntil, 1000)!;
      const first = olderFirst ? a : b;
      const second = olderFirst ? b : a;
      expect(first()).toBeUndefined();
      // The one still holding keeps what is handed over, and the runtime gets it too.
      const p = Promise.resolve('late');
      ctx.waitUntil(p);
      expect(ctx.handed).toEqual([p]);
      await second();
      expect(ctx.waitUntil).toBe(runtime);
    }
  });

  test('what is handed over while holding is waited for; after the hold ends it is only forwarded', async () => {
    const ctx = new Ctx();
    const end = holdWaitUntil(ctx, ctx.waitUntil, 1000)!;
    const forwarder = ctx.waitUntil;
    let done = false;
    ctx.waitUntil(new Promise<void>((r) => setTimeout(() => ((done = true), r()), 5)));
    await end();
    expect(done).toBe(true);
    // A forwarder kept by the app (`const w = ctx.waitUntil`) still reaches the runtime, holding nothing.
    const later = Promise.resolve();
    forwarder.call(ctx, later);
    expect(ctx.handed.at(-1)).toBe(later);
    expect(ctx.handed).toHaveLength(2);
  });
});
