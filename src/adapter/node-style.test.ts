import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { handleRequest, type RequestTelemetry } from '../http/handle-request.js';
import { SpanKind } from '../model/span-data.js';
import { requestFromNode, runNodeStyle, type NodeRequestLike, type NodeResponseLike } from './node-style.js';

/** A ServerResponse by shape: `end()` sends it (`finish`). */
function fakeResponse(): NodeResponseLike & { sent: boolean } {
  const listeners: Record<string, Array<() => void>> = { finish: [], close: [] };
  return {
    statusCode: 200,
    sent: false,
    get writableFinished() {
      return this.sent;
    },
    setHeader() {},
    getHeaders: () => ({}),
    end() {
      this.sent = true;
      for (const l of listeners.finish.splice(0)) l();
    },
    once(event, listener) {
      listeners[event].push(listener);
    },
    removeListener(event, listener) {
      listeners[event] = listeners[event].filter((l) => l !== listener);
    },
  };
}

const telemetryStub = { span: { isRecording: () => false } } as unknown as RequestTelemetry;

describe('requestFromNode', () => {
  it('keeps a method the Fetch API refuses (TRACE, TRACK, CONNECT): the request is still traced with its real method', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    for (const method of ['TRACE', 'TRACK', 'CONNECT']) {
      const req: NodeRequestLike = { method, url: '/x', headers: { host: 'example.com' } };
      const request = requestFromNode(req);
      expect(request.method).toBe(method);
      await handleRequest(monitor, request, () => new Response(null, { status: 405 }), (p) => waits.push(p));
    }
    await Promise.all(waits);
    const spans = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(spans.map((s) => [s.name, s.attributes['http.request.method'], s.attributes['http.request.method_original'], s.attributes['http.response.status_code']])).toEqual([
      ['TRACE', 'TRACE', undefined, 405],
      ['HTTP', '_OTHER', 'TRACK', 405],
      ['CONNECT', 'CONNECT', undefined, 405],
    ]);
  });
});

describe('runNodeStyle', () => {
  it('resolves when the response has been sent, not when an async listener finishes work done after res.end()', async () => {
    const res = fakeResponse();
    let release!: () => void;
    const after = new Promise<void>((r) => (release = r));
    let listenerDone = false;
    const listener = async (): Promise<string> => {
      await Promise.resolve();
      res.end();
      await after; // work after the response was sent (an audit write, a cache fill)
      listenerDone = true;
      return 'value';
    };
    const sent = await Promise.race([
      runNodeStyle(listener, { method: 'GET', headers: {} }, res, telemetryStub),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 200)),
    ]);
    expect(sent).not.toBe('timeout');
    expect(listenerDone).toBe(false);
    // The listener's own result is still handed back (serverless returns it to the platform).
    release();
    await expect((sent as { returned: unknown }).returned).resolves.toBe('value');
  });

  it('rejects with the error of an async listener that fails before sending; a later failure goes to `returned`', async () => {
    const early = fakeResponse();
    await expect(runNodeStyle(async () => { throw new Error('early'); }, { method: 'GET', headers: {} }, early, telemetryStub)).rejects.toThrow('early');

    const late = fakeResponse();
    const sent = await runNodeStyle(async () => { late.end(); await new Promise((r) => setTimeout(r, 5)); throw new Error('late'); }, { method: 'GET', headers: {} }, late, telemetryStub);
    await expect(sent.returned).rejects.toThrow('late');
  });

  it('waits for the response when the listener resolves before sending it (Express hands the request on and returns)', async () => {
    const res = fakeResponse();
    const p = runNodeStyle(async () => { setTimeout(() => res.end(), 20); }, { method: 'GET', headers: {} }, res, telemetryStub);
    let settled = false;
    void p.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    await p;
    expect(res.sent).toBe(true);
  });
});

describe('runNodeStyle, sent headers', () => {
  it('gives the headers the listener sent to captureHeaders.responseHeaders, and its status', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    const res = fakeResponse();
    res.getHeaders = () => ({ 'content-type': 'text/plain', 'x-id': ['a', 'b'], 'set-cookie': ['s=1'] });
    res.statusCode = 201;
    const request = new Request('http://x/');
    const sent = handleRequest(monitor, request, async (_r, t) => (await runNodeStyle(() => res.end(), { method: 'GET', headers: {} }, res, t)).response, (p) => waits.push(p), {
      captureHeaders: { responseHeaders: ['content-type', 'x-id', 'set-cookie'] },
    });
    expect((await sent).status).toBe(201);
    await Promise.all(waits);
    expect(memory.spans[0]!.attributes).toMatchObject({
      'http.response.status_code': 201,
      'http.response.header.content-type': ['text/plain'],
      'http.response.header.x-id': ['a, b'],
      'http.response.header.set-cookie': ['[REDACTED]'],
    });
  });
});

describe('runNodeStyle, a listener that fails right after res.end()', () => {
  it('is not a failed request: the response went out; the error stays the listener’s', async () => {
    const res = fakeResponse();
    let finish!: () => void;
    // Like node:http: end() marks the response ended at once, `finish` comes later.
    const ended = Object.assign(res, {
      writableEnded: false,
      end() {
        ended.writableEnded = true;
        setTimeout(() => finish(), 5);
      },
      once(event: string, l: () => void) {
        if (event === 'finish') finish = () => { ended.sent = true; l(); };
      },
    });
    const sent = await runNodeStyle(async () => { ended.end(); throw new Error('after end'); }, { method: 'GET', headers: {} }, ended, telemetryStub);
    expect(sent.response.status).toBe(200);
    await expect(sent.returned).rejects.toThrow('after end');
  });
});

describe('requestFromNode, proxy headers', () => {
  it('reads no forwarding header unless told to trust them: on a bare Node server any client sets them (the socket and Host, as toNodeListener)', () => {
    const headers = { host: 'inner:8080', forwarded: 'proto=https;host=fwd.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'x.test' };
    for (const telemetryOnly of [false, true]) {
      const req = { method: 'GET', url: '/p', headers, rawHeaders: [] } as NodeRequestLike;
      expect(requestFromNode(req, telemetryOnly).url).toBe('http://inner:8080/p');
      expect(requestFromNode({ ...req, socket: { encrypted: true } }, telemetryOnly).url).toBe('https://inner:8080/p');
      expect(requestFromNode(req, telemetryOnly, true).url).toBe('https://fwd.test/p');
    }
  });

  it('takes only http or https from X-Forwarded-Proto: any other value (a client’s) would become a url.scheme metric label', () => {
    const url = (headers: Record<string, string>): string => requestFromNode({ method: 'GET', url: '/p', headers: { host: 'h.test', ...headers } }, false, true).url;
    expect(url({ 'x-forwarded-proto': 'evil1' })).toBe('http://h.test/p');
    expect(url({ 'x-forwarded-proto': 'javascript' })).toBe('http://h.test/p');
    expect(url({ 'x-forwarded-proto': 'HTTPS, http' })).toBe('https://h.test/p');
  });

  it('reads the standard Forwarded header (RFC 7239) first, then X-Forwarded-*, then Host (HTTP semconv server.address)', () => {
    const url = (headers: Record<string, string>): string => requestFromNode({ method: 'GET', url: '/p', headers: { host: 'inner:8080', ...headers } }, false, true).url;
    expect(url({ forwarded: 'for=192.0.2.60;proto=https;host="api.example.com", for=10.0.0.1' })).toBe('https://api.example.com/p');
    expect(url({ forwarded: 'For=1.2.3.4', 'x-forwarded-host': 'x.example.com' })).toBe('http://x.example.com/p');
    expect(url({})).toBe('http://inner:8080/p');
  });

  it('Forwarded: quoted values (holding , ; or an escaped quote), IPv6 in brackets, keys in any case; the first element only', () => {
    const url = (forwarded: string): string => requestFromNode({ method: 'GET', url: '/p', headers: { host: 'inner:8080', forwarded } }, false, true).url;
    expect(url('for="[2001:db8::1]:4711";Host="[2001:db8::2]:8443";PROTO=HTTPS')).toBe('https://[2001:db8::2]:8443/p');
    expect(url('for="a,b;c\\"d";host=api.example.com;proto=https')).toBe('https://api.example.com/p');
    expect(url('for=192.0.2.60, host=second.example.com;proto=https')).toBe('http://inner:8080/p');
  });

  it('Forwarded or X-Forwarded-* malformed or not allowed: ignored, the next source is used; never throws', () => {
    const url = (headers: Record<string, string>): string => requestFromNode({ method: 'GET', url: '/p', headers: { host: 'inner:8080', ...headers } }, false, true).url;
    const xf = { 'x-forwarded-host': 'x.example.com', 'x-forwarded-proto': 'https' };
    expect(url({ forwarded: 'host="unterminated;proto=https', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'proto=ftp;host=evil.test/x', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'garbage;host=a.example.com', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'host=', 'x-forwarded-host': 'u@evil.test' })).toBe('http://inner:8080/p');
    // a value followed by something that is neither a separator nor the end is malformed too, not cut short
    expect(url({ forwarded: 'host=evil.test junk', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'proto=http"x;host="a.example.com"b', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'for=1 2;host=a.example.com', ...xf })).toBe('https://x.example.com/p');
    expect(url({ forwarded: 'host=a.example.com ; proto=https  ', 'x-forwarded-proto': 'http' })).toBe('https://a.example.com/p');
    for (const f of ['', ';;', '=', '"', 'host', 'host="\\', ',,host=a', 'for=1;'.repeat(1000)]) expect(() => url({ forwarded: f })).not.toThrow();
  });
});

describe('requestFromNode, request target', () => {
  it('keeps an origin-form path that starts with // as a path (url.path), not as another host', () => {
    const url = (target: string): string => requestFromNode({ method: 'GET', url: target, headers: { host: 'h.test' } }).url;
    expect(url('//double/a%20b?x=1')).toBe('http://h.test//double/a%20b?x=1');
    expect(url('/p?q')).toBe('http://h.test/p?q');
    expect(url('http://proxy.test/x')).toBe('http://proxy.test/x');
    expect(url('*')).toBe('http://h.test/*');
    const viaProxy = (host: string): string => requestFromNode({ method: 'GET', url: '/p', headers: { host: 'h.test', 'x-forwarded-host': host } }, false, true).url;
    expect(viaProxy('evil.test/x?')).toBe('http://h.test/p');
    expect(viaProxy('u@evil.test')).toBe('http://h.test/p');
    expect(viaProxy('[::1]:8443')).toBe('http://[::1]:8443/p');
  });
});

describe('requestFromNode for the telemetry only (a view over Node headers)', () => {
  // Node's IncomingMessage: lower-case names, repeated values merged (set-cookie a list), rawHeaders.
  const targets = ['/p?q=1', '//double/slash', '/a/../b/./c', '/%7Euser?x=%20y', 'http://abs.test:8080/x?y', '*', '/caf\u00e9'];
  const headerSets: Record<string, string | string[]>[] = [
    { host: 'h.test' },
    { host: 'H.Test:80', 'user-agent': 'ua/1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'k=v' },
    { host: 'inner:8080', 'x-forwarded-host': 'outer.test', 'x-forwarded-proto': 'https', 'set-cookie': ['a=1', 'b=2'], accept: 'text/html, */*' },
    { host: 'inner', forwarded: 'proto=https;host="fwd.test:8443"', cookie: 'a=1; b=2', 'x-many': 'one, two' },
    {},
  ];
  const names = ['host', 'user-agent', 'traceparent', 'tracestate', 'baggage', 'set-cookie', 'accept', 'cookie', 'x-many', 'x-absent', 'Host', 'User-Agent'];
  it('gives the url, method and header values a Web Request gives, for every combination', () => {
    let compared = 0;
    for (const target of targets)
      for (const headers of headerSets)
        for (const method of ['GET', 'POST', 'DELETE', 'TRACE', undefined]) {
          for (const [socket, trust] of [[undefined, false], [{ encrypted: true, localAddress: '::1', localPort: 3000 }, true]] as const) {
            const req = { method, url: target, headers, socket, rawHeaders: [] } as NodeRequestLike;
            const web = requestFromNode(req, false, trust);
            const view = requestFromNode(req, true, trust);
            expect([view.url, view.method], `${method} ${target} ${JSON.stringify(headers)}`).toEqual([web.url, web.method]);
            for (const name of names) expect(view.headers.get(name), name).toBe(web.headers.get(name));
            expect(view.headers.getSetCookie()).toEqual(web.headers.getSetCookie());
            const seen = (r: Request): string[][] => {
              const out: string[][] = [];
              r.headers.forEach((v, k) => out.push([k, v]));
              return out;
            };
            expect(seen(view)).toEqual(seen(web));
            compared++;
          }
        }
    expect(compared).toBe(targets.length * headerSets.length * 5 * 2);
  });

  it('is a Web Request where Node did not lower-case the names (no rawHeaders: a hand-made req)', () => {
    const request = requestFromNode({ method: 'GET', url: '/x', headers: { Host: 'h.test', TraceParent: 'x' } }, true);
    expect(request).toBeInstanceOf(Request);
    expect(request.headers.get('traceparent')).toBe('x');
  });
});

describe('requestFromNode for the telemetry only, a header object someone else wrote', () => {
  // rawHeaders does not prove Node wrote `headers`: a middleware ahead of a mounted listener adds
  // names in its own case, serverless-http's IncomingMessage (rawHeaders []) has a number
  // content-length. The view reads them as the Web Request did.
  it('finds a name in any case and a number value, as Headers does', () => {
    const headers: Record<string, unknown> = {
      host: 'h.test',
      'User-Agent': 'ua/2',
      Traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'X-Request-Id': 'r1',
      'content-length': 12,
    };
    const req = { method: 'GET', url: '/p', headers, rawHeaders: [] } as unknown as NodeRequestLike;
    const web = requestFromNode(req);
    const view = requestFromNode(req, true);
    for (const name of ['user-agent', 'traceparent', 'x-request-id', 'X-Request-Id', 'content-length', 'host', 'x-absent', 'constructor', '__proto__']) {
      expect(view.headers.get(name), name).toBe(web.headers.get(name));
      expect(view.headers.has(name), name).toBe(web.headers.has(name));
    }
  });
});
