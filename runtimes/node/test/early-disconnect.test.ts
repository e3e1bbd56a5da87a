import { get } from 'node:http';
import { expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { serve } from '../index.js';

for (const waitForBody of [false, true]) {
  test(`node: a client that leaves while the handler runs gets its streamed body cancelled once it is returned${waitForBody ? ' (waitForBody: the span ends, nothing stays pending)' : ''}`, async () => {
    const memory = new MemoryBackend();
    let cancelled: unknown;
    const s = await serve(
      async () => {
        await new Promise((r) => setTimeout(r, 300));
        const body = new ReadableStream<Uint8Array>({
          pull: (c) =>
            new Promise<void>((r) =>
              setTimeout(() => {
                if (cancelled === undefined) c.enqueue(new TextEncoder().encode('data: x\n\n'));
                r();
              }, 20),
            ),
          cancel: (reason) => void (cancelled = reason),
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
      { serviceName: 'early', backends: [memory] },
      { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false, waitForBody },
    );
    try {
      const req = get(`${s.url}/events`);
      req.on('error', () => undefined);
      setTimeout(() => req.destroy(), 100);
      await new Promise((r) => setTimeout(r, 800));
      expect(String(cancelled)).toMatch(/client disconnected/);
      expect(s.handler.pending).toBe(0);
      await s.handler.flush(1000);
      expect(memory.spans.filter((x) => x.name === 'GET')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
}
