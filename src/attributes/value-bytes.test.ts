import { describe, expect, it } from 'vitest';
import { createMonitor } from '../monitor.js';
import { attributesBytes, MAX_DEPTH, valueBytes } from './sanitize.js';

describe('valueBytes / attributesBytes: the one size estimate of spans, logs and the buffer', () => {
  it('counts 16 bytes a primitive plus 2 a character, 32 a list or map plus its entries', () => {
    expect(valueBytes('abc')).toBe(22);
    expect(valueBytes(42)).toBe(16);
    expect(valueBytes(null)).toBe(16);
    expect(valueBytes(['ab', 1, null])).toBe(32 + 20 + 16 + 16);
    expect(valueBytes(new Uint8Array(10))).toBe(74);
    expect(attributesBytes({ k: 'v' })).toBe(48 + 2 + 18);
    expect(valueBytes({ k: 'v' })).toBe(32 + 48 + 2 + 18);
  });

  it('stops at MAX_DEPTH, as sanitizeAny does', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH + 4; i++) deep = [deep];
    let shallow: unknown = 16;
    for (let i = 0; i < MAX_DEPTH; i++) shallow = [shallow];
    expect(valueBytes(deep)).toBe(32 * MAX_DEPTH + 16);
    expect(valueBytes(shallow)).toBe(32 * MAX_DEPTH + 16);
  });

  it('a span keeps its attribute estimate current as values are set and replaced', () => {
    const monitor = createMonitor({ backends: [], onDiagnostic: () => undefined });
    const span = monitor.tracer.startSpan('s') as unknown as { attributeBytes: number; setAttribute(k: string, v: unknown): void };
    span.setAttribute('a', 'xy');
    span.setAttribute('list', ['p', 'q']);
    expect(span.attributeBytes).toBe(attributesBytes({ a: 'xy', list: ['p', 'q'] }));
    span.setAttribute('list', ['longer']);
    span.setAttribute('a', 7);
    expect(span.attributeBytes).toBe(attributesBytes({ a: 7, list: ['longer'] }));
  });
});
