/**
 * Redaction by the words of a name, end to end: a captured request header, a logger field, a span
 * attribute and a log field holding a connection string all leave the process without the secret.
 */
import { describe, expect, it } from 'vitest';
import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { createTestMonitor } from '../../src/testing/index.js';
import { handleRequest } from '../../src/http/handle-request.js';
import { createRedactor, DEFAULT_REDACT_FIELDS } from '../../src/attributes/redact.js';

describe('name-word redaction through headers, logs and spans', () => {
  it('a Session-Token request header, a password_hash log field and a connection string come out redacted', async () => {
    const { monitor, memory } = createTestMonitor();
    const req = new Request('https://app.example/account', {
      headers: { 'Session-Token': 'SESSION-planted', 'X-Request-Id': 'r-1', 'Keep-Alive': 'timeout=5' },
    });
    await handleRequest(
      monitor,
      req,
      (_r, t) => {
        t.span.setAttribute('db.connection_string', 'postgres://app:PGPASS-planted@db.internal:5432/app');
        t.span.setAttribute('gen_ai.usage.input_tokens', 12);
        monitor.logger.info('password changed', {
          password_hash: '$2b$12$HASH-planted',
          user: { id: 'u1', db_password: 'DBPASS-planted' },
          database_url: 'postgres://app:PGPASS-planted@db.internal/app',
          token_count: 3,
        });
        return new Response('ok');
      },
      undefined,
      { captureHeaders: { requestHeaders: ['Session-Token', 'x-request-id', 'keep-alive'] } },
    );
    await monitor.flush();
    const span = memory.spans[0]!;
    expect(span.attributes).toMatchObject({
      'http.request.header.session-token': ['[REDACTED]'],
      'http.request.header.x-request-id': ['r-1'],
      'http.request.header.keep-alive': ['timeout=5'],
      'db.connection_string': 'postgres://REDACTED:REDACTED@db.internal:5432/app',
      'gen_ai.usage.input_tokens': 12,
    });
    const log = memory.logs.find((l) => l.body === 'password changed')!;
    expect(log.attributes).toEqual({
      password_hash: '[REDACTED]',
      user: { id: 'u1', db_password: '[REDACTED]' },
      database_url: 'postgres://REDACTED:REDACTED@db.internal/app',
      token_count: 3,
    });
    expect(JSON.stringify([memory.spans, memory.logs])).not.toMatch(/planted/);
  });

  it('a secret word followed by anything but a descriptor is redacted in logs and spans; descriptors keep their values and types', async () => {
    const { monitor, memory } = createTestMonitor();
    const req = new Request('https://app.example/api', {
      headers: { 'Ocp-Apim-Subscription-Key': 'APIM-planted', 'X-Functions-Key': 'FUNC-planted', 'X-Request-Id': 'r-2' },
    });
    await handleRequest(
      monitor,
      req,
      (_r, t) => {
        t.span.setAttributes({ authorization_header: 'Bearer AUTH-planted', 'token.jwt': 'eyJ-planted', token_expires_at: 1_790_000_000, api_key_id: 'ak_1' });
        monitor.logger.info('signup', {
          password_confirmation: 'CONFIRM-planted',
          passwordConfirmation: 'CONFIRM2-planted',
          user: { password: { new: 'NEW-planted' }, 'password.new': 'NEW2-planted', password_last_changed: '2026-01-01' },
          credentials_json: '{"k":"CRED-planted"}',
          token_sha256: 'SHA-planted',
          password_required: true,
          token_count: 3,
          credentials_file: '/etc/app/credentials.json',
        });
        return new Response('ok');
      },
      undefined,
      { captureHeaders: { requestHeaders: ['ocp-apim-subscription-key', 'x-functions-key', 'x-request-id'] } },
    );
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({
      'http.request.header.ocp-apim-subscription-key': ['[REDACTED]'],
      'http.request.header.x-functions-key': ['[REDACTED]'],
      'http.request.header.x-request-id': ['r-2'],
      authorization_header: '[REDACTED]',
      'token.jwt': '[REDACTED]',
      token_expires_at: 1_790_000_000,
      api_key_id: 'ak_1',
    });
    expect(memory.logs.find((l) => l.body === 'signup')!.attributes).toEqual({
      password_confirmation: '[REDACTED]',
      passwordConfirmation: '[REDACTED]',
      user: { password: '[REDACTED]', 'password.new': '[REDACTED]', password_last_changed: '2026-01-01' },
      credentials_json: '[REDACTED]',
      token_sha256: '[REDACTED]',
      password_required: true,
      token_count: 3,
      credentials_file: '/etc/app/credentials.json',
    });
    expect(JSON.stringify([memory.spans, memory.logs])).not.toMatch(/planted/);
  });

  it('captured Referer and Location headers are URLs: their secret and signed-URL parameters are masked', async () => {
    const { monitor, memory } = createTestMonitor();
    const req = new Request('https://app.example/next', { headers: { Referer: 'https://app.example/login?token=REF-planted&step=2' } });
    await handleRequest(
      monitor,
      req,
      () => new Response(null, { status: 302, headers: { Location: 'https://b.s3.amazonaws.com/k?X-Amz-Signature=SIG-planted&X-Amz-Expires=60' } }),
      undefined,
      { captureHeaders: { requestHeaders: ['referer'], responseHeaders: ['location'] } },
    );
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({
      'http.request.header.referer': ['https://app.example/login?token=REDACTED&step=2'],
      'http.response.header.location': ['https://b.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&X-Amz-Expires=60'],
    });
    expect(JSON.stringify(memory.spans)).not.toMatch(/planted/);
  });

  it('url.query keeps no secret when a later value holds an unencoded `?`', async () => {
    const { monitor, memory } = createTestMonitor();
    await handleRequest(monitor, new Request('https://app.example/cb?access_token=TOKEN-planted&next=/home?tab=1'), () => new Response('ok'), undefined);
    await monitor.flush();
    expect(memory.spans[0]!.attributes['url.query']).toBe('access_token=REDACTED&next=/home?tab=1');
    expect(JSON.stringify(memory.spans)).not.toMatch(/planted/);
  });

  it('url.fragment, the fragment apart from url.full, loses its OAuth tokens as url.full\'s fragment does (implicit flow, hash routes)', async () => {
    const { monitor, memory } = createTestMonitor();
    const span = monitor.tracer.startSpan('s', {
      attributes: { 'url.full': 'https://app/cb#access_token=FULL-planted&token_type=bearer', 'url.fragment': 'access_token=AT-planted&token_type=bearer&state=s1&expires_in=3600' },
    });
    span.setAttribute('url.fragment', 'id_token=IDT-planted&refresh_token=RT-planted&state=s1');
    span.end();
    const span2 = monitor.tracer.startSpan('s2', { attributes: { 'url.fragment': '/cb?token=HASH-planted&tab=2' } });
    span2.end();
    monitor.tracer.startSpan('s3', { attributes: { 'url.fragment': 'section-2' } }).end();
    monitor.logger.info('callback', { 'url.fragment': 'access_token=LOG-planted&state=s1' });
    await monitor.flush();
    expect(memory.spans.map((s) => s.attributes['url.fragment'])).toEqual(['id_token=REDACTED&refresh_token=REDACTED&state=s1', '/cb?token=REDACTED&tab=2', 'section-2']);
    expect(memory.spans[0]!.attributes['url.full']).toBe('https://app/cb#access_token=REDACTED&token_type=bearer');
    expect(memory.logs[0]!.attributes).toEqual({ 'url.fragment': 'access_token=REDACTED&state=s1' });
    expect(JSON.stringify([memory.spans, memory.logs])).not.toMatch(/planted/);
  });

  it('URL-valued attributes given as string[] (semconv types http.*.header.<name> so) are masked in spans and logs', async () => {
    const { monitor, memory } = createTestMonitor();
    const referer = ['https://app/login?token=REF-planted', 'https://app/home'];
    const span = monitor.tracer.startSpan('s', { attributes: { 'http.request.header.referer': referer } });
    span.setAttribute('http.response.header.location', ['https://b/k?X-Amz-Signature=SIG-planted']);
    span.end();
    monitor.logger.info('redirect', {
      'http.request.header.referer': referer,
      'url.full': ['https://u:PW-planted@h/x'],
      nested: { database_url: ['postgres://app:PG-planted@db/app'] },
    });
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({
      'http.request.header.referer': ['https://app/login?token=REDACTED', 'https://app/home'],
      'http.response.header.location': ['https://b/k?X-Amz-Signature=REDACTED'],
    });
    expect(memory.logs.find((l) => l.body === 'redirect')!.attributes).toEqual({
      'http.request.header.referer': ['https://app/login?token=REDACTED', 'https://app/home'],
      'url.full': ['https://REDACTED:REDACTED@h/x'],
      nested: { database_url: ['postgres://REDACTED:REDACTED@db/app'] },
    });
    expect(JSON.stringify([memory.spans, memory.logs])).not.toMatch(/planted/);
    // The caller's array is not changed.
    expect(referer[0]).toBe('https://app/login?token=REF-planted');
  });

  it('redactDefaults: false with redactFields masks the user names only: the signed-URL and connection-string built-ins go with the defaults', async () => {
    const { monitor, memory } = createTestMonitor({ logging: { redactDefaults: false, redactFields: ['ssn'] } });
    const span = monitor.tracer.startSpan('s', {
      attributes: { 'url.full': 'https://u:p@b/k?X-Amz-Signature=SIG&ssn=SSN-planted', 'db.connection_string': 'Server=h;Pwd=PW;ssn=SSN-planted' },
    });
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({
      'url.full': 'https://REDACTED:REDACTED@b/k?X-Amz-Signature=SIG&ssn=REDACTED',
      'db.connection_string': 'Server=h;Pwd=PW;ssn=[REDACTED]',
    });
  });

  it('of the semantic conventions attribute names (stable and incubating), the default redactor replaces none and scrubs only URL and connection-string values, and URLs quoted in exception text', () => {
    const names = new Set<string>();
    for (const m of [semconv, incubating] as Record<string, unknown>[]) for (const [k, v] of Object.entries(m)) if (k.startsWith('ATTR_') && typeof v === 'string') names.add(v);
    expect(names.size).toBeGreaterThan(900);
    const r = createRedactor(DEFAULT_REDACT_FIELDS);
    const all = [...names].sort();
    // A change of the rule that redacts a semantic convention shows up here, for review.
    expect(all.filter((n) => r.isSecret(n))).toEqual([]);
    expect(all.filter((n) => r.mayRedact(n))).toEqual([
      'artifact.purl',
      'aws.sqs.queue.url',
      'db.connection_string',
      'exception.message',
      'exception.stacktrace',
      'http.target',
      'http.url',
      'mcp.resource.uri',
      'otel.scope.schema_url',
      'pprof.profile.doc_url',
      'url.fragment',
      'url.full',
      'url.original',
      'url.query',
    ]);
  });
});
