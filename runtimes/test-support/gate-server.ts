/**
 * A {@link Hold} that code in another isolate or process (a Worker in workerd) waits on over
 * HTTP: a GET to `url` is answered (204) once the hold is released. A caller that goes away while
 * it waits (its fetch aborted) stops waiting. Built on node:http, like the receivers.
 */
import { createServer } from 'node:http';
import { createHold, type Hold } from './hold.js';
import { listenOnLoopback } from './loopback.js';

export interface GateServer extends Hold {
  readonly url: string;
  close(): Promise<void>;
}

export async function startGateServer(held = true): Promise<GateServer> {
  const hold = createHold(held);
  const server = createServer((req, res) => {
    req.resume();
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    hold.wait(gone.signal).then(
      () => {
        res.writeHead(204);
        res.end();
      },
      () => undefined,
    );
  });
  const loop = await listenOnLoopback(server);
  return Object.defineProperties(
    { url: `${loop.url}/gate`, close: loop.close },
    {
      held: { get: () => hold.held },
      waiting: { get: () => hold.waiting },
      passed: { get: () => hold.passed },
      wait: { value: hold.wait },
      release: { value: hold.release },
      hold: { value: hold.hold },
    },
  ) as GateServer;
}
