/**
 * `instrument()` given a Durable Object class written the older way, extending nothing: workerd
 * runs every exported class that extends neither WorkerEntrypoint nor WorkflowEntrypoint as a
 * Durable Object, so instrument() instruments it as instrumentDO() does (it was instrumented as a
 * WorkerEntrypoint: no `cloudflare.durable_object.class`, no storage spans, without a word).
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentDO } from '../index.js';

function makeState() {
  const data = new Map<string, unknown>();
  return {
    id: { toString: () => 'abc' },
    waitUntil(_p: Promise<unknown>) {},
    storage: {
      async get(k: string) {
        return data.get(k);
      },
      async put(k: string, v: unknown) {
        data.set(k, v);
      },
    },
  };
}

class LegacyRoom {
  constructor(
    readonly state: ReturnType<typeof makeState>,
    readonly env: unknown,
  ) {}
  async fetch(_req: Request): Promise<Response> {
    await this.state.storage.put('k', 1);
    return new Response(`legacy ${await this.state.storage.get('k')}`);
  }
}

describe('instrument() of a Durable Object class that extends nothing', () => {
  test('is instrumented as instrumentDO() instruments it: the class attribute and storage spans', async () => {
    const shapes: unknown[] = [];
    for (const wrap of [instrument, instrumentDO]) {
      const { monitor, memory } = createTestMonitor();
      const Room = (wrap as typeof instrumentDO)(LegacyRoom, monitor);
      const room = new Room(makeState(), {});
      expect(await (await room.fetch(new Request('http://do/'))).text()).toBe('legacy 1');
      await monitor.flush();
      shapes.push(memory.spans.map((s) => [s.name, s.attributes['cloudflare.durable_object.class'] ?? s.attributes['db.namespace']]).sort());
    }
    expect(shapes[0]).toEqual([
      ['GET', 'LegacyRoom'],
      ['get LegacyRoom', 'LegacyRoom'],
      ['put LegacyRoom', 'LegacyRoom'],
    ]);
    expect(shapes[0]).toEqual(shapes[1]);
  });

  test('a class extending WorkerEntrypoint (at any depth) is still instrumented as one', async () => {
    class WorkerEntrypoint {
      constructor(
        readonly ctx: unknown,
        readonly env: unknown,
      ) {}
    }
    class Base extends WorkerEntrypoint {}
    class Svc extends Base {
      async fetch(_req: Request): Promise<Response> {
        return new Response('svc');
      }
    }
    const { monitor, memory } = createTestMonitor();
    const svc = new (instrument(Svc, monitor))({ waitUntil(_p: Promise<unknown>) {} }, {});
    expect(await (await svc.fetch(new Request('http://svc/'))).text()).toBe('svc');
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.attributes['cloudflare.durable_object.class']])).toEqual([['GET', undefined]]);
  });
});
