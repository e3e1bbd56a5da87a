/**
 * Test fixture: a class using `@traced()` / `@metered()`. Vitest's transform (oxc in Vite 8)
 * does not lower standard decorators, so `decorators.test.ts` type-checks this file and compiles
 * it with the real TypeScript compiler, as an app build would, twice (standard decorators and
 * `experimentalDecorators`), then runs it. It takes the decorators as arguments so the
 * compiled module has no imports to resolve.
 */
import type { metered as Metered } from './metered.js';
import type { traced as Traced } from './traced.js';

export class ValidationError extends Error {
  override name = 'ValidationError';
}

export function defineOrders(traced: typeof Traced, metered: typeof Metered) {
  class Orders {
    constructor(readonly prefix: string) {}

    @traced()
    @metered()
    label(id: string): string {
      return `${this.prefix}-${id}`;
    }

    @traced('process_order')
    @metered('orders_processed')
    async process(id: string, err?: Error): Promise<string> {
      await new Promise((r) => setTimeout(r, 1));
      if (err) throw err;
      return this.label(id);
    }

    @traced
    static create(prefix: string): Orders {
      return new Orders(prefix);
    }

    @metered({ labels: { tier: 'gold' } })
    sum(...xs: number[]): number {
      return xs.reduce((a, b) => a + b, 0);
    }
  }
  return Orders;
}
