import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { contextStorage, setContextStorage } from './active.js';
import { SynchronousStorage } from './storage.js';
import { createTestMonitor } from '../testing/index.js';

describe('setContextStorage', () => {
  const before = contextStorage();
  afterEach(() => void setContextStorage(before));

  it('refuses an AsyncLocalStorage instance (or anything without run and get) with a message saying what to pass, leaving the storage in use as it was', () => {
    for (const wrong of [new AsyncLocalStorage(), {}, Map, null, 'als']) {
      expect(() => setContextStorage(wrong as never)).toThrow(/the AsyncLocalStorage class of node:async_hooks \(the class, not `new AsyncLocalStorage\(\)`\)/);
      expect(contextStorage()).toBe(before);
    }
    // Spans and logs keep working in the app's requests.
    const { monitor } = createTestMonitor();
    expect(() => monitor.tracer.startSpan('a').end()).not.toThrow();
  });

  it('takes the class, a ContextStorage, and undefined', () => {
    expect(setContextStorage(AsyncLocalStorage).kind).toBe('async-local-storage');
    const own = new SynchronousStorage();
    expect(setContextStorage(own as never)).toBe(own);
    expect(setContextStorage(undefined).kind).toBe('async-local-storage');
  });
});
