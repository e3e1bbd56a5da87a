/**
 * The runtime's resource attributes read three ways on the runtime under test (vitest on Node,
 * `deno test`, `bun test`): a bare `createMonitor()`, the runtime adapter's `instrument()`, and
 * the Hono middleware given options (its own monitor). The three must agree.
 */
import { Hono } from 'hono';
import { createMonitor, type Monitor } from '../../src/monitor.js';
import { MemoryBackend } from '../../src/exporters/memory/memory-backend.js';
import { monitorMiddleware, MONITOR_KEY } from '../../src/middleware/hono/index.js';

const KEYS = ['telemetry.sdk.language', 'process.runtime.name', 'process.runtime.version'] as const;

const runtimeOf = (monitor: Monitor): Record<string, unknown> => Object.fromEntries(KEYS.map((k) => [k, monitor.resource.attributes[k]]));

export async function runtimeResources(instrument: (handler: () => Response, config: object) => { monitor: Monitor }): Promise<Record<'bare' | 'adapter' | 'hono', Record<string, unknown>>> {
  const bare = runtimeOf(createMonitor({ backends: [new MemoryBackend()] }));
  const adapter = runtimeOf(instrument(() => new Response('ok'), { backends: [new MemoryBackend()] }).monitor);
  const app = new Hono();
  app.use(monitorMiddleware({ backends: [new MemoryBackend()] }));
  app.get('/', (c) => c.json(runtimeOf(c.get(MONITOR_KEY as never) as Monitor)));
  const hono = (await (await app.request('/')).json()) as Record<string, unknown>;
  return { bare, adapter, hono };
}
