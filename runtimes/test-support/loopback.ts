/**
 * Loopback servers for the tests of every runtime (Node, Deno and Bun all provide node:net):
 * a free port on 127.0.0.1, and a close() that also ends kept-alive connections, so a test
 * never waits for a client's idle socket.
 */
import { connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Loopback {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A port nothing listens on: connecting to it is refused. Taken below the kernel's ephemeral
 * range (32768 and up on Linux), because a port that was just free inside that range is handed
 * to the next `listen(0)`: with tests running side by side, a "down" collector's exports then
 * reached another test's server.
 */
export async function closedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await refused(port)) return port;
  }
  throw new Error('closedPort: no refused port found in 20000-31999');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
