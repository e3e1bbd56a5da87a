import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS } from './redact.js';

const r = createRedactor(DEFAULT_REDACT_FIELDS);
const M = '%5BREDACTED%5D';

describe('redactUrl', () => {
  it('replaces userinfo with REDACTED:REDACTED (OTel HTTP semconv: url.full must not carry credentials)', () => {
    expect(r.redactUrl('https://bob:pw@example.com/x?a=1')).toBe('https://REDACTED:REDACTED@example.com/x?a=1');
    expect(r.redactUrl('https://tok@example.com')).toBe('https://REDACTED:REDACTED@example.com');
    expect(r.redactUrl('//u:p@h:8080/p')).toBe('//REDACTED:REDACTED@h:8080/p');
    expect(r.apply('url.full', 'postgres://u:p%40ss@db:5432/app')).toBe('postgres://REDACTED:REDACTED@db:5432/app');
    // An @ after the authority is not userinfo.
    expect(r.redactUrl('https://example.com/users/@me?email=a@b.c')).toBe('https://example.com/users/@me?email=a@b.c');
    expect(r.redactUrl('https://example.com/a?next=https://u:p@x/')).toBe('https://example.com/a?next=https://u:p@x/');
  });

  it('masks secret k=v pairs in the fragment as in the query', () => {
    expect(r.redactUrl('https://x/cb#access_token=FRAG&state=s')).toBe(`https://x/cb#access_token=${M}&state=s`);
    expect(r.redactUrl('https://x/?a=1&token=Q#id_token=F&x=1')).toBe(`https://x/?a=1&token=${M}#id_token=${M}&x=1`);
    expect(r.redactUrl('https://x/#/route?token=H')).toBe(`https://x/#/route?token=${M}`);
    expect(r.redactUrl('https://x/p#section-2')).toBe('https://x/p#section-2');
  });

  it('keeps what it masked before: query parameters and bare query strings', () => {
    expect(r.redactUrl('https://x/?password=p3&q=1')).toBe(`https://x/?password=${M}&q=1`);
    expect(r.redactUrl('token=t&q=1')).toBe(`token=${M}&q=1`);
    const same = 'https://x/p?q=1';
    expect(r.redactUrl(same)).toBe(same);
  });
});
