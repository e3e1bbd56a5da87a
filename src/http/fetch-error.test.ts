import { describe, expect, it } from 'vitest';
import { fetchErrorType } from './fetch-error.js';

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
