import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS, redactDeep } from './redact.js';

const r = createRedactor(DEFAULT_REDACT_FIELDS);
const M = 'REDACTED';
const U = 'REDACTED:REDACTED';

describe('query parameters separated by `;`', () => {
  it('a secret pair after a `;` is masked, in url.full, url.query, a fragment and quoted text', () => {
    expect(r.apply('url.full', 'https://h/p?a=1;password=hunter2')).toBe(`https://h/p?a=1;password=${M}`);
    expect(r.apply('url.full', 'https://h/p?a=1;password=hunter2&b=2')).toBe(`https://h/p?a=1;password=${M}&b=2`);
    expect(r.apply('url.query', 'a=1;access_token=T')).toBe(`a=1;access_token=${M}`);
    expect(r.apply('url.full', 'https://h/cb#state=s;id_token=J')).toBe(`https://h/cb#state=s;id_token=${M}`);
    expect(r.apply('exception.message', 'GET https://h/p?x=1;token=SECRET failed')).toBe(`GET https://h/p?x=1;token=${M} failed`);
  });

  it('a masked value runs to the next `&`: a `;` inside it (a password may hold one) leaks no part of it', () => {
    expect(r.apply('url.full', 'https://h/p?password=ab;cd&x=1')).toBe(`https://h/p?password=${M}&x=1`);
    expect(r.apply('url.full', 'https://h/p?token=x;api_key=y')).toBe(`https://h/p?token=${M}`);
  });

  it('leaves queries with `;` and no secret name as they are (the same string)', () => {
    for (const v of ['https://h/p?a=1;b=2', 'https://h/p?q=a;b;c&sort=name;desc', 'https://h/p;v=1?x=y;z', 'https://h/p?tokens=3;max_tokens=5']) {
      expect(r.apply('url.full', v)).toBe(v);
    }
    expect(r.apply('url.query', 'a=1;;b=2;')).toBe('a=1;;b=2;');
  });

  it('scans many `;` and `&` in linear time', { timeout: 5000 }, () => {
    const v = 'a=1;'.repeat(100_000) + '&b=2'.repeat(100_000) + '&token=T';
    expect(r.apply('url.query', v).endsWith(`&token=${M}`)).toBe(true);
    const w = 'a=1&'.repeat(100_000) + ';token=T';
    expect(r.apply('url.query', w).endsWith(`;token=${M}`)).toBe(true);
  });
});

describe('special-scheme URLs written with one slash, none, or backslashes (WHATWG URL parsing)', () => {
  it('credentials are masked as `new URL` reads them', () => {
    expect(new URL('https:/u:p@h/').username).toBe('u');
    expect(r.apply('url.full', 'https:/u:p@h/')).toBe(`https:/${U}@h/`);
    expect(r.apply('url.full', 'https:\\\\u:p@h/')).toBe(`https:\\\\${U}@h/`);
    expect(r.apply('url.full', 'https:\\u:p@h/')).toBe(`https:\\${U}@h/`);
    expect(r.apply('url.full', 'HTTP:/\\u:p@h/x')).toBe(`HTTP:/\\${U}@h/x`);
    expect(r.apply('url.full', 'wss:u:p@h/')).toBe(`wss:${U}@h/`);
    expect(r.apply('database_url', 'ftp:/u:p@h/f')).toBe(`ftp:/${U}@h/f`);
    expect(r.apply('exception.message', 'fetch https:/bob:pw@h/x?token=T failed')).toBe(`fetch https:/${U}@h/x?token=${M} failed`);
    expect(r.apply('exception.message', 'fetch (https:\\\\bob:pw@h\\x) failed')).toBe(`fetch (https:\\\\${U}@h\\x) failed`);
  });

  it('a backslash ends the authority of a special scheme: an `@` after it is in the path', () => {
    expect(new URL('https://u:p@h\\x@y').host).toBe('h');
    expect(r.apply('url.full', 'https://u:p@h\\x@y')).toBe(`https://${U}@h\\x@y`);
    expect(r.apply('url.full', 'https://h\\users\\@me')).toBe('https://h\\users\\@me');
  });

  it('leaves other schemes and text without credentials alone', () => {
    for (const v of ['mailto:ann@example.com', 'https:/h/@me', 'https:\\\\h\\@me', 'C:\\Users\\ann@corp\\x', 'urn:a:b@c']) {
      expect(r.apply('url.full', v)).toBe(v);
    }
    for (const t of ['see C:\\Users\\ann@corp\\file.txt', 'use http:/ or https:/ only, mail ann@example.com', 'at file:///app/a@1/x.js:1:2']) {
      expect(r.apply('exception.message', t)).toBe(t);
    }
  });
});

describe('credentials cut short in text by a space or a quote', () => {
  it('a URL whose authority stops at a space or quote but is no host reads on to the `@` on its line', () => {
    expect(r.apply('exception.message', 'GET "https://bob:p w@h/x?token=T" failed')).toBe(`GET "https://${U}@h/x?token=${M}" failed`);
    expect(r.apply('exception.message', `GET 'https://bob:it's@h/x' failed`)).toBe(`GET 'https://${U}@h/x' failed`);
    expect(r.apply('exception.message', 'GET "https://bob:a"b@h/x" failed')).toBe(`GET "https://${U}@h/x" failed`);
    expect(r.apply('exception.message', 'connect redis://:pa ss@cache:6379, retrying')).toBe(`connect redis://${U}@cache:6379, retrying`);
    expect(r.apply('exception.message', 'GET https://bob:p /w@h/x')).toBe(`GET https://${U}@h/x`);
  });

  it('a host (and port) cut by a space is a whole URL: later `@`s, other lines and lone URLs are kept', () => {
    for (const t of [
      'see https://example.com and mail admin@example.com',
      'GET http://localhost:3000 failed for bob@example.com',
      '"https://x.org", then a@b.c',
      'visit https://x.org, or mail a@b.c',
      'GET https://[::1]:8080 as a@b',
      'bad https://u:p\nat x (a@b.js:1:1)',
      'bad "https://u:p w" here',
    ]) {
      expect(r.apply('exception.message', t)).toBe(t);
    }
  });

  it('scans many cut-short URLs in linear time', { timeout: 5000 }, () => {
    const v = 'https://a:b '.repeat(50_000) + 'x@h';
    // Everything from the first cut-short authority to the line's `@` may be the password.
    expect(r.apply('exception.message', v)).toBe(`https://${U}@h`);
    const w = 'https://a:b '.repeat(50_000);
    expect(r.apply('exception.message', w)).toBe(w);
  });
});

describe('userinfo ends at the last `@` of the authority (before the first `/`, `?` or `#`)', () => {
  it('a later `@` in the path, query or fragment is kept with the host', () => {
    const cases: [string, string][] = [
      ['https://u:p@h/x?email=a@b.c', `https://${U}@h/x?email=a@b.c`],
      ['https://u:p@registry.example/@babel/core', `https://${U}@registry.example/@babel/core`],
      ['https://u:p@deno.land/std@0.200.0/x.ts', `https://${U}@deno.land/std@0.200.0/x.ts`],
      ['https://u:p@h/#a@b', `https://${U}@h/#a@b`],
      ['https://u@a:p@h/x@y', `https://${U}@h/x@y`],
    ];
    for (const [v, want] of cases) {
      const u = new URL(v);
      expect(`${u.host}${u.pathname}`, v).toBe(want.slice(want.indexOf('@') + 1).replace(/[?#].*/, ''));
      expect(r.apply('url.full', v)).toBe(want);
      expect(r.apply('database_url', v)).toBe(want);
    }
    expect(r.apply('exception.message', 'GET https://u:p@h/@me failed')).toBe(`GET https://${U}@h/@me failed`);
  });

  it('what reads as no host after the authority `@`, or no host where no `@` is, still masks to the last `@`', () => {
    // `ss:w0rd` is no host[:port]: the password holds `@` and more, masked whole.
    expect(r.apply('database_url', 'postgres://admin:p@ss:w0rd/x@db/app')).toBe(`postgres://${U}@db/app`);
    expect(r.apply('redis_url', 'redis://:s3cr#t@cache:6379/0')).toBe(`redis://${U}@cache:6379/0`);
    expect(r.apply('url.full', 'https://user:pa#ss@h/x?e=a@b')).toBe(`https://${U}@b`);
  });
});

describe('a captured URL header under a capitalised name', () => {
  it('is masked as the lowercase one is', () => {
    expect(r.apply('http.request.header.Referer', 'https://app/login?token=T')).toBe(`https://app/login?token=${M}`);
    expect(r.apply('http.response.header.Location', ['https://b/k?X-Amz-Signature=S'])).toEqual([`https://b/k?X-Amz-Signature=${M}`]);
  });
});

describe('a proxy setting', () => {
  it('a proxy setting loses its credentials and keeps its host', () => {
    expect(r.apply('HTTPS_PROXY', 'http://bob:pw@proxy.corp:3128')).toBe(`http://${U}@proxy.corp:3128`);
    expect(r.apply('config.proxy', 'http://bob:pw@proxy.corp:3128')).toBe(`http://${U}@proxy.corp:3128`);
    expect(r.apply('http_proxy', 'http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(r.apply('no_proxy', 'localhost,.corp')).toBe('localhost,.corp');
    expect(r.apply('proxy_enabled', true)).toBe(true);
  });
});

describe('keys that are the credential themselves', () => {
  it("Cloudflare's X-Auth-Key and an access_key API key are redacted; the id of an access key is kept", () => {
    for (const n of ['http.request.header.x-auth-key', 'X-Auth-Key', 'auth_key', 'access_key', 'accessKey', 'ACCESS_KEY']) expect(r.isSecret(n), n).toBe(true);
    expect(r.apply('url.full', 'https://api.ipstack.com/134.201.250.155?access_key=K&fields=city')).toBe(`https://api.ipstack.com/134.201.250.155?access_key=${M}&fields=city`);
    for (const n of ['aws_access_key_id', 'accessKeyId', 'AWS_ACCESS_KEY_ID', 'auth_key_id', 'cache.key', 'public_key']) expect(r.isSecret(n), n).toBe(false);
  });
});

describe('a URL in quotes runs to its closing quote on the line', () => {
  it('a space inside the quotes cuts neither the credentials nor the query', () => {
    expect(r.apply('exception.message', '[GET] "https://bob:12 34@h/x": 401')).toBe(`[GET] "https://${U}@h/x": 401`);
    expect(r.apply('exception.message', "open 'https://bob smith:pw@h/x' failed")).toBe(`open 'https://${U}@h/x' failed`);
    expect(r.apply('exception.message', '[GET] "https://h/my file.pdf?token=T&a=1": 404')).toBe(`[GET] "https://h/my file.pdf?token=${M}&a=1": 404`);
    expect(r.apply('exception.message', 'fetch `https://h/a b?q=1;api_key=K` failed')).toBe(`fetch \`https://h/a b?q=1;api_key=${M}\` failed`);
    // No closing quote on the line: read as unquoted text.
    expect(r.apply('exception.message', 'GET "https://bob:p w@h/x\nnext "line"')).toBe(`GET "https://${U}@h/x\nnext "line"`);
  });

  it('quoted text without secrets is kept as it is', () => {
    for (const t of ['[GET] "https://h/x": 404 Not Found', '"https://example.com is down" said ops@x.org', "'https://h/o'reilly' and 'x@y'", 'url "https://h/a b" then "c@d"', 'a "https://h/x\n@b"']) {
      expect(r.apply('exception.message', t)).toBe(t);
    }
  });

  it('scans many unclosed quoted URLs in linear time', { timeout: 5000 }, () => {
    const v = '"https://a b '.repeat(50_000);
    expect(r.apply('exception.message', v)).toBe(v);
  });
});

describe('plural secret names', () => {
  it('a list or map of secrets under a plural name is redacted, but `tokens`, a count', () => {
    for (const n of ['passwords', 'apiKeys', 'api_keys', 'secrets', 'cookies', 'request.cookies', 'access_tokens', 'private_keys']) expect(r.isSecret(n), n).toBe(true);
    expect(redactDeep({ cookies: { session: 'S3SSION', theme: 'dark' } }, r)).toEqual({ cookies: '[REDACTED]' });
    for (const n of ['tokens', 'max_tokens', 'gen_ai.usage.input_tokens', 'session_tokens_count', 'passwords_count', 'has_secrets', 'cookies_enabled', 'secretary']) expect(r.isSecret(n), n).toBe(false);
  });
});
