import { isIP as nodeIsIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { forwardedClient, forwardedView, isIP, originalRequest, trustProxyOption, webHeaders } from './trust-proxy.js';

/** A small seeded generator: the same inputs on every run. */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
}

const TRICKY = [
  '', ' ', '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '00.0.0.0', '1.2.3.4 ', ' 1.2.3.4',
  '1.2.3.4\n', '1..3.4', '1.2.3.', '.1.2.3', '1.2.3.4:80', '١.٢.٣.٤', '0x1.2.3.4', '1e2.1.1.1', '+1.2.3.4', '-1.2.3.4',
  '::', ':::', '::1', '1::', ':1', '1:', '::ffff:1.2.3.4', '::ffff:01.2.3.4', '::ffff:256.2.3.4', '1::1.2.3.4', '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::2::3', '12345::', 'g::1',
  'fe80::1%eth0', 'fe80::1%', 'fe80::1%a.b-c:d', 'fe80::1%e_0', 'fe80::1%%', '[::1]', '[::1]:80', 'FE80::ABCD', '2001:db8::', '2001:0db8:0000::0001',
  '::1.2.3.4', '::1.2.3', '1:2:3:4:5:6:7:8%1', '1:2:3:4::5:6:7', '1:2:3:4:5::6:7:8', 'localhost', 'unknown', '_hidden', 'example.com',
  '\u0000', '1.2.3.4\u0000', '::ffff:1.2.3.4%x', '0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0000', '00000::',
];

function generated(): string[] {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const seg4 = () => pick(['0', '1', '9', '10', '99', '100', '199', '200', '249', '250', '255', '256', '300', '01', '001', String(Math.floor(r() * 400))]);
  const seg6 = () => pick(['0', '1', 'a', 'ff', 'FFFF', '0db8', '12345', 'g', '', 'abcd', '0000', String(Math.floor(r() * 0xffff).toString(16))]);
  const out: string[] = [];
  for (let i = 0; i < 200; i++) out.push(Array.from({ length: pick([3, 4, 4, 4, 5]) }, seg4).join('.'));
  for (let i = 0; i < 300; i++) {
    const n = pick([2, 3, 5, 7, 8, 8, 9]);
    let s = Array.from({ length: n }, seg6).join(':');
    if (r() < 0.3) s = s.replace(/:[^:]*$/, `:${seg4()}.${seg4()}.${seg4()}.${seg4()}`);
    if (r() < 0.2) s += `%${pick(['eth0', '1', 'a-b.c', 'x_y', '', 'é'])}`;
    if (r() < 0.1) s = `[${s}]`;
    out.push(s);
  }
  return out;
}

describe('isIP, without node:net', () => {
  const inputs = [...TRICKY, ...generated()];
  test(`answers as node:net's isIP on ${inputs.length} generated and tricky inputs`, () => {
    expect(inputs.length).toBeGreaterThan(500);
    const differ = inputs.filter((s) => isIP(s) !== nodeIsIP(s)).map((s) => [s, isIP(s), nodeIsIP(s)]);
    expect(differ).toEqual([]);
    // The inputs cover each answer.
    expect(new Set(inputs.map((s) => nodeIsIP(s)))).toEqual(new Set([0, 4, 6]));
  });

  test('the shared module has no Node import, no process, no Buffer', () => {
    const text = readFileSync(new URL('./trust-proxy.ts', import.meta.url), 'utf8')
      .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(text).not.toMatch(/from 'node:|\bprocess\.|\bBuffer\b|reference types="node"/);
  });
});

describe('the Web adapters\' reading of a Request', () => {
  const request = () =>
    new Request('http://10.0.0.5:8000/a/b?q=1', { headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' } });

  test('the view has the forwarded URL and the client; the original is given back, untouched', () => {
    const req = request();
    const read = trustProxyOption('instrument', 1)!;
    const view = forwardedView(req, read(webHeaders(req.headers), '10.0.0.1'))!;
    expect(view.url).toBe('https://shop.example/a/b?q=1');
    expect(forwardedClient(view)).toBe('10.0.0.2');
    expect(view.method).toBe('GET');
    expect(view.headers.get('x-forwarded-host')).toBe('shop.example');
    expect(view instanceof Request).toBe(true);
    expect(originalRequest(view)).toBe(req);
    expect(req.url).toBe('http://10.0.0.5:8000/a/b?q=1');
    expect(originalRequest(req)).toBe(req);
    expect(forwardedClient(req)).toBeUndefined();
  });

  test('nothing trusted or nothing said: no view', () => {
    const req = request();
    const fn = trustProxyOption('instrument', () => false)!;
    expect(forwardedView(req, fn(webHeaders(req.headers), '10.0.0.1'))).toBeUndefined();
    const bare = new Request('http://h/');
    expect(forwardedView(bare, trustProxyOption('instrument', true)!(webHeaders(bare.headers), '10.0.0.1'))).toBeUndefined();
  });

  test('a forwarded scheme alone keeps the host and port of the URL', () => {
    const req = new Request('http://internal:8000/x', { headers: { 'x-forwarded-proto': 'https' } });
    const view = forwardedView(req, trustProxyOption('instrument', true)!(webHeaders(req.headers), '10.0.0.1'))!;
    expect(view.url).toBe('https://internal:8000/x');
  });
});
