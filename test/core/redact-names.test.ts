/**
 * Redaction by the words of a name, end to end: a captured request header, a logger field, a span
 * attribute and a log field holding a connection string all leave the process without the secret.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../../src/testing/index.js';
import { handleRequest } from '../../src/http/handle-request.js';

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
      'http.request.header.session-token': '[REDACTED]',
      'http.request.header.x-request-id': 'r-1',
      'http.request.header.keep-alive': 'timeout=5',
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
      'http.request.header.referer': 'https://app.example/login?token=REDACTED&step=2',
      'http.response.header.location': 'https://b.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&X-Amz-Expires=60',
    });
    expect(JSON.stringify(memory.spans)).not.toMatch(/planted/);
  });
});
