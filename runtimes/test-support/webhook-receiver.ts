/**
 * An alert webhook on 127.0.0.1 that keeps the JSON bodies it got and answers each POST
 * `answerAfterMs` after its body arrived, or, without it, only once `release()` is called (so a
 * test shows by the order of events, not by a clock, that a response did not wait for the post).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  readonly url: string;
  readonly posts: unknown[];
  /** Answers the posts held so far, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(answerAfterMs?: number): Promise<WebhookReceiver> {
  const posts: unknown[] = [];
  let held: ServerResponse[] | undefined = answerAfterMs === undefined ? [] : undefined;
  const answer = (res: ServerResponse) => res.writeHead(200).end('ok');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      if (held) held.push(res);
      else setTimeout(() => answer(res), answerAfterMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const release = (): void => {
    for (const res of held ?? []) answer(res);
    held = undefined;
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    posts,
    release,
    // Held answers first: a test that failed before release() must not leave close() waiting on them.
    close: () => (release(), new Promise((r) => server.close(() => r()))),
  };
}
