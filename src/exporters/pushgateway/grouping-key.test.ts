import { describe, expect, it } from 'vitest';
import { base64Url, groupingPath, validateGroupingKey } from './grouping-key.js';

describe('grouping-key.ts (PG-01, PG-02)', () => {
  it('PG-02: the spec example /var/tmp → L3Zhci90bXA; empty → =', () => {
    expect(groupingPath('example', { first_label: '', second_label: 'foobar' })).toBe('/metrics/job/example/first_label@base64/=/second_label/foobar');
    expect(groupingPath('j', { path: '/var/tmp' })).toBe('/metrics/job/j/path@base64/L3Zhci90bXA');
    expect(base64Url('\u00ff\u00fe')).toBe('w7_Dvg');
  });
  it('PG-02: "." and ".." go as base64, since URL parsing would remove them as dot segments', () => {
    expect(groupingPath('..', { inst: '.', other: '...' })).toBe('/metrics/job@base64/Li4/inst@base64/Lg/other/...');
    expect(new URL('http://gw' + groupingPath('j', { inst: '..' })).pathname).toBe('/metrics/job/j/inst@base64/Li4');
  });
  it('PG-01: grouping-key label names are validated', () => {
    expect(() => validateGroupingKey({ ok_name: 'x' })).not.toThrow();
    expect(() => validateGroupingKey({ 'no.dots': 'x' })).toThrow(/groupingKey/);
  });
});
