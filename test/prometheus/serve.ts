/** Serves Web `Request → Response` handlers over node:http, for the real Prometheus to scrape. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export type WebHandler = (request: Request) => Promise<Response | undefined>;

export async function serve(handlers: WebHandler[], port: number): Promise<Server> {
  const server = createServer(async (req: IncomingMessage, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1:${port}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers });
    let response: Response | undefined;
    for (const h of handlers) {
      response = await h(request);
      if (response) break;
    }
    response ??= new Response('not found', { status: 404 });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
