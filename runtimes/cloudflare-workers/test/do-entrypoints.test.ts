/**
 * instrumentDO() with objects the app locks: a Durable Object whose constructor freezes `this`.
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrumentDO } from '../index.js';

/** Stands in for `DurableObject` from cloudflare:workers (the name is what the adapter looks for). */
class DurableObject {
  constructor(
    readonly ctx: unknown,
    readonly env: unknown,
  ) {}
}
const state = () => ({ waitUntil(_p: Promise<unknown>) {}, storage: {} });

describe('instrumentDO: an object frozen by its constructor', () => {
  test('is constructed and answers its calls, untraced (defining its state threw "object is not extensible", so every request to it failed)', async () => {
    const { monitor, memory } = createTestMonitor();
    class Config extends DurableObject {
      readonly limit = 3;
      fetch = async (): Promise<Response> => new Response(`limit ${this.limit}`);
      constructor(ctx: unknown, env: unknown) {
        super(ctx, env);
        Object.freeze(this);
      }
      get3(): number {
        return this.limit;
      }
    }
    const Instrumented = instrumentDO(Config, monitor);
    const obj = new Instrumented(state(), {});
    expect(obj.get3()).toBe(3);
    expect(await (await obj.fetch()).text()).toBe('limit 3');
    expect(Object.isFrozen(obj)).toBe(true);
    await monitor.flush();
    expect(memory.spans).toEqual([]);
  });
});

describe('instrumentDO: handlers bound in the constructor (`this.fetch = this.fetch.bind(this)`)', () => {
  test('each call gets one span, its telemetry as second argument, as a prototype handler does', async () => {
    const { monitor, memory } = createTestMonitor();
    const seen: unknown[] = [];
    class Bound extends DurableObject {
      constructor(ctx: unknown, env: unknown) {
        super(ctx, env);
        this.fetch = this.fetch.bind(this);
        this.alarm = this.alarm.bind(this);
      }
      async fetch(_request: Request, telemetry?: unknown): Promise<Response> {
        seen.push(typeof telemetry);
        return new Response('ok');
      }
      async alarm(): Promise<void> {}
    }
    const obj = new (instrumentDO(Bound, monitor))(state(), {});
    expect(await (await obj.fetch(new Request('http://do/a'))).text()).toBe('ok');
    await obj.alarm();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['Bound.alarm', 'GET']);
    expect(seen).toEqual(['object']);
  });
});
