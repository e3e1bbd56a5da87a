import { afterEach, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const lambdaContext = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });

describe('wrapFunction configuration (DESIGN 5: wrong configuration throws when the wrapper is made)', () => {
  test('invalid monitor options throw from wrapFunction, not from every invocation', () => {
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', { sampler: 'nope' as never })).toThrow(/sampler/);
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', () => ({ logging: { level: 'loud' as never } }))).toThrow(/logging\.level/);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '100'])('flushTimeoutMs %s throws, naming the option', (flushTimeoutMs) => {
    const { monitor } = createTestMonitor();
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { flushTimeoutMs: flushTimeoutMs as number })).toThrow(/flushTimeoutMs/);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '100', true, null])('timeoutMarginMs %s throws, naming the option and what it takes', (timeoutMarginMs) => {
    const { monitor } = createTestMonitor();
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { timeoutMarginMs: timeoutMarginMs as number })).toThrow(/`timeoutMarginMs` must be a number of milliseconds from 0 to 2147483647 .*or false/);
  });

  test('timeoutMarginMs takes milliseconds, or false', () => {
    const { monitor } = createTestMonitor();
    for (const timeoutMarginMs of [0, 250, false, undefined] as const) expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { timeoutMarginMs })).not.toThrow();
  });

  test('an unknown kind throws, listing the kinds', () => {
    const { monitor } = createTestMonitor();
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { kind: 'lamda' as never })).toThrow(/kind.*lambda, vercel, netlify, fetch, node/);
    for (const kind of ['lambda', 'vercel', 'netlify', 'fetch', 'node'] as const) expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { kind, flushTimeoutMs: 0 })).not.toThrow();
  });

  test('a misspelled option throws, listing the known ones, instead of leaving its default in force', () => {
    const { monitor } = createTestMonitor();
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { flushTimeoutMS: 500 } as never)).toThrow(
      /^wrapFunction: unknown option `flushTimeoutMS`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, kind, flushTimeoutMs, timeoutMarginMs\.$/,
    );
    expect(() => wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor, { kind: 'lambda', flushTimeoutMs: 5, route: () => '/x', trustIncomingTrace: false, captureHeaders: {}, waitForBody: true })).not.toThrow();
  });

  test.each([
    ['kind', 'lambda'],
    ['timeoutMarginMs', 100],
    ['captureHeaders', { requestHeaders: ['x-request-id'] }],
    ['waitForBody', true],
  ])("the wrapper's own option `%s` given with the monitor's names wrapFunction's third argument", (key, value) => {
    const fn = async (_e: unknown, _c: unknown) => 'ok';
    const third = new RegExp(`^createMonitor: unknown option \`${key}\`; known options are .*\\. \`${key}\` is wrapFunction's own: it goes in its third argument, wrapFunction\\(fn, config, \\{ ${key} \\}\\)\\.$`);
    expect(() => wrapFunction(fn, { serviceName: 'orders', [key]: value } as never)).toThrow(third);
    // A function of the env returning them, too.
    expect(() => wrapFunction(fn, (() => ({ serviceName: 'orders', [key]: value })) as never)).toThrow(third);
  });

  test("another unknown monitor option is not said to be the wrapper's", () => {
    let message = '';
    try {
      wrapFunction(async (_e: unknown, _c: unknown) => 'ok', { serviceName: 'orders', servicename: 'x' } as never);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^createMonitor: unknown option `servicename`/);
    expect(message).not.toMatch(/third argument/);
  });
});

describe('wrapFunction captureHeaders on Lambda HTTP events', () => {
  afterEach(() => resetColdStart());

  test('API Gateway v2 / function URL: allow-listed request and response headers are recorded, secrets redacted', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200, headers: { 'X-Cache': 'HIT', 'Set-Cookie': 'sid=1' }, body: 'ok' }), monitor, {
      captureHeaders: { requestHeaders: ['X-Request-Id', 'authorization', 'x-absent'], responseHeaders: ['x-cache', 'set-cookie'] },
    });
    await handler(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/a',
        headers: { 'x-request-id': 'rid-1', authorization: 'Bearer abc' },
        requestContext: { http: { method: 'GET', path: '/a' } },
      },
      lambdaContext('h1'),
    );
    const attrs = memory.spans[0]!.attributes;
    expect(attrs['http.request.header.x-request-id']).toEqual(['rid-1']);
    expect(attrs['http.request.header.authorization']).toEqual(['[REDACTED]']);
    expect(attrs).not.toHaveProperty('http.request.header.x-absent');
    expect(attrs['http.response.header.x-cache']).toEqual(['HIT']);
    expect(attrs['http.response.header.set-cookie']).toEqual(['[REDACTED]']);
  });

  test('API Gateway v1 / ALB: multi-value request and response headers are recorded too', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200, multiValueHeaders: { 'X-Cache': ['MISS', 'HIT'] }, body: '' }), monitor, {
      captureHeaders: { requestHeaders: ['x-forwarded-for'], responseHeaders: ['x-cache'] },
    });
    await handler({ httpMethod: 'GET', path: '/b', multiValueHeaders: { 'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'] } }, lambdaContext('h2'));
    const attrs = memory.spans[0]!.attributes;
    // HTTP semconv: an array of strings, each value apart where the event gives them apart.
    expect(attrs['http.request.header.x-forwarded-for']).toEqual(['1.1.1.1', '2.2.2.2']);
    expect(attrs['http.response.header.x-cache']).toEqual(['MISS', 'HIT']);
  });

  test('a REST API event and result with both `headers` and `multiValueHeaders`: every value is captured, not the last one `headers` keeps; a result\'s are as API Gateway merges them', async () => {
    const { monitor, memory } = createTestMonitor();
    const result = {
      statusCode: 200,
      headers: { 'X-Cache': 'HIT', Vary: 'Origin', 'X-One': 'a' },
      multiValueHeaders: { 'x-cache': ['MISS', 'HIT'], vary: ['Accept'] },
      body: '',
    };
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => result, monitor, {
      captureHeaders: { requestHeaders: ['accept', 'x-request-id'], responseHeaders: ['x-cache', 'vary', 'x-one'] },
    });
    const event = {
      httpMethod: 'GET',
      path: '/b',
      resource: '/b',
      headers: { Accept: 'text/html', 'X-Request-Id': 'r1' },
      multiValueHeaders: { Accept: ['application/json', 'text/html'], 'X-Request-Id': ['r1'] },
      requestContext: { identity: { sourceIp: '203.0.113.9' } },
    };
    await handler(event, lambdaContext('h4'));
    const attrs = memory.spans[0]!.attributes;
    expect(attrs['http.request.header.accept']).toEqual(['application/json', 'text/html']);
    expect(attrs['http.request.header.x-request-id']).toEqual(['r1']);
    expect(attrs['http.response.header.x-cache']).toEqual(['MISS', 'HIT']);
    expect(attrs['http.response.header.vary']).toEqual(['Accept', 'Origin']);
    expect(attrs['http.response.header.x-one']).toEqual(['a']);
  });

  test('an HTTP API or function-URL event: the cookies it moved out of `headers` are its Cookie header for captureHeaders, as instrument() records it', async () => {
    const { monitor, memory } = createTestMonitor({ logging: { redactDefaults: false } });
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor, { captureHeaders: { requestHeaders: ['cookie'] } });
    const event = { version: '2.0', routeKey: '$default', rawPath: '/c', cookies: ['s=1', 't=2'], headers: { host: 'x' }, requestContext: { http: { method: 'GET', path: '/c' } } };
    await handler(event, lambdaContext('c1'));
    expect(memory.spans[0]!.attributes['http.request.header.cookie']).toEqual(['s=1; t=2']);
  });

  test('Set-Cookie lines of a result are one item each, as on the other adapters (a comma sits inside a line): multiValueHeaders and the HTTP API `cookies`', async () => {
    const lines = ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2'];
    const v1 = { httpMethod: 'GET', path: '/c', headers: {} };
    const v2 = { version: '2.0', routeKey: '$default', rawPath: '/c', headers: {}, requestContext: { http: { method: 'GET', path: '/c' } } };
    for (const [event, result] of [
      [v1, { statusCode: 200, multiValueHeaders: { 'Set-Cookie': lines }, body: '' }],
      [v2, { statusCode: 200, cookies: lines, body: '' }],
    ] as const) {
      const { monitor, memory } = createTestMonitor({ logging: { redactDefaults: false } });
      const handler = wrapFunction(async (_e: unknown, _c: unknown) => result, monitor, { captureHeaders: { responseHeaders: ['set-cookie'] } });
      await handler(event, lambdaContext('h3'));
      expect(memory.spans[0]!.attributes['http.response.header.set-cookie']).toEqual(lines);
      resetColdStart();
    }
  });
});
