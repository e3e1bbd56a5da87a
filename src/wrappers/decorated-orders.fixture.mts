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

    // Generic methods keep their type parameters (standard decorators failed with TS1270 here).
    @traced()
    @metered()
    pick<T, K extends keyof T>(o: T, k: K): T[K] {
      return o[k];
    }

    @traced
    static of<P extends string>(prefix: P): { prefix: P } {
      return { prefix };
    }
  }
  // Type-checked by decorators.test.ts, never called: the decorated calls keep the types they infer.
  const typed = (o: Orders): void => {
    const picked: 'x' = o.pick({ a: 'x' as const }, 'a');
    const made: { prefix: 'p' } = Orders.of('p');
    void picked;
    void made;
  };
  void typed;
  return Orders;
}

/** A base class and subclasses: names are those of the class that declares each method. */
export function defineInheritance(traced: typeof Traced, metered: typeof Metered, step: () => void) {
  class Base {
    @metered()
    @traced()
    place(n: number): number {
      return n * 2;
    }

    @traced()
    static make(): Base {
      return new this();
    }

    // Stacked on a generator: the outer wrapper wraps the inner one, a plain function.
    @traced('rows')
    @metered('rows')
    async *rows(): AsyncGenerator<number> {
      await new Promise((r) => setTimeout(r, 1));
      step();
      yield 1;
    }
  }
  class Sub extends Base {
    @metered()
    @traced()
    override place(n: number): number {
      return super.place(n) + 1;
    }
  }
  class Inherits extends Base {}
  return { Base, Sub, Inherits };
}
