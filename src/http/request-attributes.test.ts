import { describe, expect, it } from 'vitest';
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

  it('undefined for what is not a URL', () => {
    expect(urlParts('not a url')).toBeUndefined();
  });
});
