// Names added in redactFields are the user's own (`code` for OAuth's `?code=`, `name` and `address`
// for personal data): they must not turn the semantic-convention attributes the library writes, and
// the metric series they label, into `[REDACTED]`. Default names still match everywhere.
import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS } from './redact.js';
import { createTestMonitor } from '../testing/index.js';
import { handleRequest } from '../http/handle-request.js';
import { renderPrometheus } from '../exporters/prometheus/index.js';

describe('user names and the semantic-convention names the library writes', () => {
  const r = createRedactor([...DEFAULT_REDACT_FIELDS, 'code', 'name', 'address', 'user']);

  it('keeps the library semantic-convention attributes that share a word or a last segment with an added name', () => {
    for (const k of ['http.response.status_code', 'db.response.status_code', 'server.address', 'client.address', 'network.peer.address', 'db.system.name', 'db.operation.name', 'messaging.destination.name', 'gen_ai.provider.name', 'user_agent.original', 'faas.name', 'cloudflare.workflow.name']) {
      expect(r.isSecret(k), k).toBe(false);
      expect(r.apply(k, 'v'), k).toBe('v');
    }
  });

  it('still redacts the user names in the users own attributes, whole, by last segment and by words', () => {
    for (const k of ['code', 'name', 'address', 'user.address', 'patient.name', 'customer_name', 'shippingAddress', 'oauth.code', 'user']) expect(r.isSecret(k), k).toBe(true);
  });

  it('redacts a semantic-convention name listed whole, and captured headers by an added name', () => {
    const whole = createRedactor([...DEFAULT_REDACT_FIELDS, 'client.address', 'x-tenant-code']);
    expect(whole.isSecret('client.address')).toBe(true);
    expect(whole.isSecret('server.address')).toBe(false);
    expect(whole.isSecret('http.request.header.x-tenant-code')).toBe(true);
  });

  it('default names still match in those namespaces', () => {
    for (const k of ['db.password', 'db.secret', 'http.request.header.authorization', 'http.request.header.cookie', 'messaging.token', 'server.api_key', 'db.user_password', 'rpc.stripeApiKey']) expect(r.isSecret(k), k).toBe(true);
    for (const f of DEFAULT_REDACT_FIELDS) for (const k of [`db.${f}`, `db.my_${f}`]) expect(r.isSecret(k), k).toBe(true);
    // also when the user lists them without the defaults
    expect(createRedactor(['password'], false).isSecret('db.password')).toBe(true);
  });

  it('an added name still masks the URL parameter of that name', () => {
    // Without the defaults, which mask `code` as a URL parameter too.
    const own = createRedactor(['code'], false);
    expect(own.redactUrl('https://h/callback?code=SEKRET&state=xyz')).toBe('https://h/callback?code=REDACTED&state=xyz');
    expect(own.apply('url.query', 'code=SEKRET&state=xyz')).toBe('code=REDACTED&state=xyz');
    expect(own.isSecret('http.response.status_code')).toBe(false);
    expect(own.isSecret('oauth_code')).toBe(true);
  });
});

it("redactFields: ['code'] masks ?code= yet keeps http.response.status_code and the status series apart", async () => {
  const { monitor, memory } = createTestMonitor({ logging: { redactFields: ['code'] } });
  for (const path of ['/callback?code=SEKRET&state=xyz', '/missing']) {
    await handleRequest(monitor, new Request(`http://x${path}`), () => new Response('hi', { status: path === '/missing' ? 404 : 200 }));
  }
  await monitor.flush();
  expect(memory.spans.map((s) => s.attributes['http.response.status_code'])).toEqual([200, 404]);
  expect(memory.spans[0].attributes['url.query']).toBe('code=REDACTED&state=xyz');
  const text = await renderPrometheus(monitor);
  expect(text).not.toContain('REDACTED');
  expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_response_status_code="404"/);
  expect(JSON.stringify(memory.spans)).not.toContain('SEKRET');
});
