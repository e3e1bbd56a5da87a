import { describe, expect, it, vi } from 'vitest';
import { urlParts } from './request-attributes.js';

function viaUrl(href: string) {
  const u = new URL(href);
  return { scheme: u.protocol.slice(0, -1), hostname: u.hostname, port: u.port, path: u.pathname, query: u.search.slice(1) };
}

describe('urlParts', () => {
  const urls = [
    'http://127.0.0.1:8787/',
    'https://api.example.com/users/42?x=1&y=%20z',
    'https://api.example.com/users/42?x=1#frag',
    'https://api.example.com/a#frag?not-a-query',
    'http://[::1]:8080/v1/traces',
    'http://[2001:db8::1]/',
    'https://example.com/?',
    'https://example.com/p%C3%A4th/%2F?q=%E2%9C%93',
    'https://user:secret@example.com/private', // userinfo: handed to URL
    'http://example.com:65535/deep/path/',
    'HTTP://EXAMPLE.COM/Upper', // not serialised form: handed to URL
    'http://example.com\\back\\slash',
    'https://xn--bcher-kva.example/',
    'http://localhost:3000/orders/17?a=1?b=2',
  ];
  for (const href of urls) {
    it(`gives what URL gives for ${href}`, () => {
      expect(urlParts(href)).toEqual(viaUrl(href));
    });
  }

  it('serialised by Request, whatever was written, the parts match URL', () => {
    for (const raw of ['http://Example.COM:80/a/../b?c#d', 'https://h.example:443/%7euser', 'http://h.example/ spaced path']) {
      const href = new Request(raw).url;
      expect(urlParts(href)).toEqual(viaUrl(href));
    }
  });

  // Deno's `request.url` is the request line as sent, joined to the Host header, not serialised
  // by URL: the parts must still be the ones URL gives (and Node, Bun, workerd record).
  const raw = [
    'http://EXAMPLE.com:8080/x',
    'http://h/a/../b/./c',
    'http://h/a/..',
    'http://h/.',
    'http://h/a/%2e%2E/b/%2E/c',
    'http://h/a/.%2e/b',
    'http://h/a\\b',
    'http://h/é?q=é',
    'http://h/x?a=<b>"\'`',
    'http://h/{}^`',
    'http://h/x y?a b',
    'http://h:80/x',
    'https://h:443/x',
    'http://h:0080/x',
    'http://h%41/x',
    'http://bücher.de/x',
    'http://0x7f.1/x',
    'http://127.1/x',
    'http://2130706433/x',
    'http://010.0.0.1/x',
    'http://1.2.3.4./x',
    'http://[0:0:0:0:0:0:0:1]:81/x',
    'http://[::FFFF:1.2.3.4]/x',
  ];
  for (const href of raw) {
    it(`gives what URL gives for the unserialised ${href}`, () => {
      expect(urlParts(href)).toEqual(viaUrl(href));
    });
  }

  it('a serialised URL keeps the split without URL, IP-addressed ones too', () => {
    const hrefs = ['http://127.0.0.1:8787/', 'http://10.0.12.250:3000/healthz', 'https://api.example.com/users/42?x=1&y=%20z', 'http://h.example/x.y/z.', 'http://h_1.example:65535/a-b_c~d!$&()*+,;=:@/?q=a|b&c=/x/'];
    const expected = hrefs.map(viaUrl);
    const spy = vi.spyOn(globalThis, 'URL');
    try {
      expect(hrefs.map((href) => urlParts(href))).toEqual(expected);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a host URL refuses is recorded as it was sent, as before', () => {
    expect(urlParts('http://a<b:81/x')).toEqual({ scheme: 'http', hostname: 'a<b', port: '81', path: '/x', query: '' });
    expect(urlParts('http://h:8a/x')).toEqual({ scheme: 'http', hostname: 'h', port: '8a', path: '/x', query: '' });
  });

  it('undefined for what is not a URL', () => {
    expect(urlParts('not a url')).toBeUndefined();
  });
});
