import { expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { instrument } from '../index.js';

test("node: instrument()'s handler given a second argument of another shape (@hono/node-server's { incoming, outgoing }) answers as the app does; the request is not failed", async () => {
  const memory = new MemoryBackend();
  const handler = instrument(() => new Response('ok'), { serviceName: 'info-shape', backends: [memory] }, { traceFetch: false });
  const bindings = { incoming: { httpVersion: '1.1' }, outgoing: {} } as unknown as Parameters<typeof handler>[1];
  const res = await handler(new Request('http://localhost/a'), bindings);
  expect([res.status, await res.text()]).toEqual([200, 'ok']);
  await handler.flush(1000);
  expect(memory.spans.map((s) => [s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([[200, undefined]]);
});
