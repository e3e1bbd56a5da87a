/**
 * instrumentDO() edge cases that need no runtime: a class extending an instrumented class.
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentDO } from '../index.js';

/** Stands in for `DurableObject` from cloudflare:workers (the name is what the adapter looks for). */
class DurableObject {
  constructor(
    readonly ctx: unknown,
    readonly env: unknown,
  ) {}
}
const state = () => ({ waitUntil(_p: Promise<unknown>) {}, storage: {} });

describe('instrumentDO: a subclass of an instrumented class', () => {
  test('instrumented again, it throws where it is instrumented, saying what to change (each construction threw "Cannot redefine property", failing every call to the object)', () => {
    const { monitor } = createTestMonitor();
    class Base extends DurableObject {
      hello(): string {
        return 'hi';
      }
    }
    const InstrumentedBase = instrumentDO(Base, monitor);
    class Room extends InstrumentedBase {}
    expect(() => instrumentDO(Room, monitor)).toThrow(/^instrumentDO: Room extends Base, already instrumented; instrument one of them$/);
    expect(() => instrument(Room, monitor)).toThrow(/already instrumented/);
    class Deeper extends Room {}
    expect(() => instrumentDO(Deeper, monitor)).toThrow(/^instrumentDO: Deeper extends Base, already instrumented/);
  });

  test('extended without instrumenting it again, it works as the instrumented class: the instrumented class\'s methods are traced (the subclass\'s own are not wrapped)', async () => {
    const { monitor, memory } = createTestMonitor();
    class Base extends DurableObject {
      hello(): string {
        return 'hi';
      }
    }
    class Room extends instrumentDO(Base, monitor) {
      other(): string {
        return this.hello();
      }
    }
    const room = new Room(state(), {});
    expect(room.hello()).toBe('hi');
    expect(room.other()).toBe('hi');
    expect(room).toBeInstanceOf(Base);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['Base.hello', 'Base.hello']);
  });
});

describe('instrumentDO: a method that returns a callable thenable (a Workers RPC promise, a call forwarded without await)', () => {
  /** Like workerd's JsRpcPromise: a function (callable for pipelining) with its own `then`. */
  function rpcPromise<T>(settle: Promise<T>): ((...a: unknown[]) => unknown) & PromiseLike<T> {
    const f = Object.assign(() => 'pipelined', { then: settle.then.bind(settle) });
    return f as never;
  }

  test('is handed back as it is; its span ends when it settles, ERROR with the error when it rejects', async () => {
    const { monitor, memory } = createTestMonitor();
    let fail!: (e: Error) => void;
    let pass!: (v: string) => void;
    const failing = rpcPromise(new Promise<string>((_, reject) => (fail = reject)));
    const passing = rpcPromise(new Promise<string>((resolve) => (pass = resolve)));
    class Gateway extends DurableObject {
      forwardFail(): unknown {
        return failing;
      }
      forwardOk(): unknown {
        return passing;
      }
    }
    const g = new (instrumentDO(Gateway, monitor))(state(), {});
    expect(g.forwardFail()).toBe(failing);
    expect(g.forwardOk()).toBe(passing);
    await monitor.flush();
    expect(memory.spans).toEqual([]); // not ended before the calls settle
    fail(new RangeError('remote broke'));
    pass('ok');
    await expect(Promise.resolve(failing)).rejects.toThrow('remote broke');
    await Promise.resolve(passing);
    await monitor.flush();
    const byName = Object.fromEntries(memory.spans.map((s) => [s.name, s]));
    expect(byName['Gateway.forwardFail']!.status).toMatchObject({ code: 2, message: 'remote broke' });
    expect(byName['Gateway.forwardFail']!.attributes['error.type']).toBe('RangeError');
    expect(byName['Gateway.forwardOk']!.status.code).toBe(0);
  });
});
