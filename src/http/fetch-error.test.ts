import { beforeAll, describe, expect, it } from 'vitest';
import { fetchErrorType } from './fetch-error.js';
import { readDenoFetchCodes } from '../../runtimes/deno/src/fetch-code.js';

describe('fetchErrorType', () => {
  it('names a network failure by its code: on the error (Bun) or its cause (Node), never a DOMException number', () => {
    const bun = Object.assign(new Error('Unable to connect'), { code: 'ConnectionRefused' });
    const node = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }) });
    const timeout = new DOMException('The operation timed out.', 'TimeoutError');
    expect([bun, node, timeout, new TypeError('fetch failed'), 'text'].map((e) => fetchErrorType(e, undefined))).toEqual(['ConnectionRefused', 'ENOTFOUND', 'TimeoutError', 'TypeError', 'Error']);
  });

  it('a cancellation is no error, whatever its reason; a timeout is one', () => {
    const ac = new AbortController();
    ac.abort(new Error('superseded'));
    expect(fetchErrorType(new Error('superseded'), ac.signal)).toBeUndefined();
    expect(fetchErrorType(new DOMException('aborted', 'AbortError'), undefined)).toBeUndefined();
    expect(fetchErrorType(new DOMException('timed out', 'TimeoutError'), AbortSignal.abort(new DOMException('timed out', 'TimeoutError')))).toBe('TimeoutError');
  });

  it('an error whose fields throw when read is still an error', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    expect(fetchErrorType(hostile, undefined)).toBe('Error');
  });
});

/** Deno's shape: TypeError("fetch failed") whose cause is a plain Error with the OS error's text and no code. */
const deno = (message: string) => new TypeError('fetch failed', { cause: new Error(`error sending request for url (http://h/x): client error (Connect): ${message}`) });

describe('fetchErrorType without the Deno adapter (a Worker)', () => {
  it("reads no Deno text: the table of OS errors is the Deno adapter's, out of a Worker's bundle", () => {
    expect(fetchErrorType(deno('tcp connect error: Connection refused (os error 111)'), undefined)).toBe('TypeError');
  });
});

describe('fetchErrorType on Deno (the reader the Deno adapter installs)', () => {
  beforeAll(() => readDenoFetchCodes());

  it('names a network failure by the code Node and Bun give, from the OS error number (Linux, macOS, Windows) or the DNS failure', () => {
    expect(
      [
        'tcp connect error: Connection refused (os error 111)',
        'tcp connect error: Connection refused (os error 61)',
        'tcp connect error: No connection could be made because the target machine actively refused it. (os error 10061)',
        'tcp connect error: Connection reset by peer (os error 104)',
        'tcp connect error: Connection timed out (os error 110)',
        'tcp connect error: No route to host (os error 113)',
        'dns error: failed to lookup address information: Name or service not known',
        'dns error: failed to lookup address information: Temporary failure in name resolution',
      ].map((m) => fetchErrorType(deno(m), undefined)),
    ).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
  });

  it('anything else stays the error name; only a TypeError is read so', () => {
    expect(fetchErrorType(deno('received corrupt message of type InvalidContentType'), undefined)).toBe('TypeError');
    expect(fetchErrorType(deno('tcp connect error: Something (os error 9999)'), undefined)).toBe('TypeError');
    expect(fetchErrorType(new RangeError('x', { cause: new Error('Connection refused (os error 111)') }), undefined)).toBe('RangeError');
  });

  it('Bun 1.4 puts the code on the error itself', () => {
    const bun = Object.assign(new TypeError('ECONNREFUSED: Unable to connect. Is the computer able to access the url?'), { code: 'ECONNREFUSED' });
    expect(fetchErrorType(bun, undefined)).toBe('ECONNREFUSED');
  });
});
