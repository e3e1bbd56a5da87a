import { describe, expect, it } from 'vitest';
import { serveExitOptions } from './process-server.js';

describe("serve()'s flushOnExit options", () => {
  it("runs the server's close, then the app's own beforeFlush (it used to be replaced), keeping the other options", async () => {
    const order: string[] = [];
    const o = serveExitOptions({ timeoutMs: 2000, beforeFlush: () => void order.push('app') }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('close');
    });
    expect(o.timeoutMs).toBe(2000);
    await o.beforeFlush!();
    expect(order).toEqual(['close', 'app']);
  });

  it('is the close alone without an app beforeFlush, or with flushOnExit: true; a non-function is passed on for flushOnExit to refuse', () => {
    const close = (): void => {};
    expect(serveExitOptions(undefined, close).beforeFlush).toBe(close);
    expect(serveExitOptions(true, close).beforeFlush).toBe(close);
    expect(serveExitOptions<{ signals?: string[]; beforeFlush?: () => unknown }>({ signals: ['SIGTERM'] }, close)).toEqual({ signals: ['SIGTERM'], beforeFlush: close });
    expect((serveExitOptions({ beforeFlush: 5 } as never, close) as { beforeFlush?: unknown }).beforeFlush).toBe(5);
  });
});
