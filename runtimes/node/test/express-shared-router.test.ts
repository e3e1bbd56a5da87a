/** One Express router mounted in two apps (a public and an admin server): each request is named by its own app's mount. */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { instrumentListener } from '../index.js';

describe('a router shared by two Express apps', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    untraceGlobalFetch();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  async function serve(app: express.Express, monitor: ReturnType<typeof createTestMonitor>['monitor']): Promise<string> {
    const server = createServer(instrumentListener(app, monitor, { traceFetch: false }));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test('http.route is the mount of the app the request went through, whichever app was asked first', async () => {
    const { monitor, memory } = createTestMonitor();
    const health = express.Router();
    health.get('/health/:part', (_req, res) => void res.send('ok'));
    const pub = express();
    pub.use('/api', health);
    const admin = express();
    admin.use('/admin', health);
    const a = await serve(pub, monitor);
    const b = await serve(admin, monitor);
    expect((await fetch(`${a}/api/health/db`)).status).toBe(200);
    expect((await fetch(`${b}/admin/health/db`)).status).toBe(200);
    await monitor.flush();
    const routes = memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => [s.attributes['url.path'], s.attributes['http.route'], s.name]);
    expect(routes).toEqual([
      ['/api/health/db', '/api/health/:part', 'GET /api/health/:part'],
      ['/admin/health/db', '/admin/health/:part', 'GET /admin/health/:part'],
    ]);
  });
});
