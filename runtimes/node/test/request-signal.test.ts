/**
 * `request.signal` of a request served by toNodeListener/serve() follows the client's connection:
 * it aborts when the client leaves before the response is sent, and what undici makes from the
 * request (`new Request(request)`, as `fetch(request)` does; `request.clone()`) follows it too,
 * so a proxied upstream call stops with the client.
 */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { toNodeListener } from '../index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(handler: (request: Request) => Promise<Response> | Response): Promise<string> {
  server = createServer(toNodeListener(handler));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

interface Seen {
  own: AbortSignal;
  copy: AbortSignal;
  clone: AbortSignal;
  abortedAtStart: boolean;
  reasons?: unknown[];
}

/** A handler that keeps the request's, a copy's and a clone's signals, and answers after `ms`. */
function watching(seen: Seen[], ms: number) {
  return async (request: Request): Promise<Response> => {
    const entry: Seen = { own: request.signal, copy: new Request(request).signal, clone: request.clone().signal, abortedAtStart: request.signal.aborted };
    seen.push(entry);
    await new Promise((r) => setTimeout(r, ms));
    entry.reasons = [entry.own, entry.copy, entry.clone].map((s) => (s.aborted ? String(s.reason) : 'not aborted'));
    return new Response('done');
  };
}

/** A client that asks `url` and leaves after `leaveMs`; resolves `waitMs` after it asked. */
async function leaveEarly(url: string, leaveMs: number, waitMs: number): Promise<void> {
  const req = get(url);
  req.on('error', () => undefined);
  setTimeout(() => req.destroy(), leaveMs);
  await new Promise((r) => setTimeout(r, waitMs));
}

/** An upstream whose body never ends: it closes only when the call to it is aborted. */
async function neverEnding(): Promise<{ url: string; closed: () => boolean; stop: () => Promise<void> }> {
  let closed = false;
  const upstream = createServer((_req, res) => {
    res.on('close', () => (closed = true));
    res.writeHead(200);
    res.write('partial');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`,
    closed: () => closed,
    stop: async () => {
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    },
  };
}

test('node: request.signal, a copy made from the request and its clone abort when the client leaves before the answer', async () => {
  const seen: Seen[] = [];
  const url = await listen(watching(seen, 300));
  await leaveEarly(url, 100, 600);
  expect(seen).toHaveLength(1);
  expect(seen[0]!.own).toBeInstanceOf(AbortSignal);
  expect(seen[0]!.abortedAtStart).toBe(false);
  expect(seen[0]!.reasons).toEqual(['Error: client disconnected', 'Error: client disconnected', 'Error: client disconnected']);
});

test('node: request.signal does not abort for a request answered in full', async () => {
  const seen: Seen[] = [];
  const url = await listen(watching(seen, 10));
  const res = await fetch(url);
  expect(await res.text()).toBe('done');
  await new Promise((r) => setTimeout(r, 50));
  expect(seen[0]!.reasons).toEqual(['not aborted', 'not aborted', 'not aborted']);
  expect([seen[0]!.own.aborted, seen[0]!.copy.aborted, seen[0]!.clone.aborted]).toEqual([false, false, false]);
});

test('node: an upstream fetch given the request itself is aborted when the client leaves', async () => {
  const upstream = await neverEnding();
  const target = upstream.url;
  let failure: unknown;
  try {
    const url = await listen(async (request) => {
      const answer = await fetch(new Request(target, request));
      // Reading the upstream's never-ending body ends only when the client's leaving aborts it.
      await answer.text().catch((err: unknown) => (failure = err));
      return new Response('never sent');
    });
    await leaveEarly(url, 200, 700);
    expect(upstream.closed()).toBe(true);
    expect(String(failure)).toBe('Error: client disconnected');
  } finally {
    await upstream.stop();
  }
});

test('node: a clone of a clone aborts too, and an upstream fetch given it stops, when the client leaves', async () => {
  const upstream = await neverEnding();
  const target = upstream.url;
  let failure: unknown;
  let signals: AbortSignal[] = [];
  try {
    const url = await listen(async (request) => {
      const clone = request.clone();
      const twice = clone.clone();
      signals = [request.signal, clone.signal, twice.signal, twice.clone().signal, new Request(twice).signal];
      const answer = await fetch(new Request(target, clone.clone()));
      await answer.text().catch((err: unknown) => (failure = err));
      return new Response('never sent');
    });
    await leaveEarly(url, 200, 700);
    expect(signals.map((s) => (s.aborted ? String(s.reason) : 'not aborted'))).toEqual(Array(5).fill('Error: client disconnected'));
    expect(upstream.closed()).toBe(true);
    expect(String(failure)).toBe('Error: client disconnected');
  } finally {
    await upstream.stop();
  }
});

test('node: a served request is a Request by its constructor too, and many clones print no listener warning', async () => {
  const warnings: string[] = [];
  const warn = (w: Error): void => void warnings.push(w.name);
  process.on('warning', warn);
  let seen: unknown[] = [];
  try {
    const url = await listen((request) => {
      const clones = Array.from({ length: 20 }, () => request.clone());
      seen = [request.constructor === Request, request.constructor.name, clones[0]!.constructor === Request, request instanceof Request];
      return new Response('ok');
    });
    expect(await (await fetch(url)).text()).toBe('ok');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([true, 'Request', true, true]);
    expect(warnings).toEqual([]);
  } finally {
    process.off('warning', warn);
  }
});
