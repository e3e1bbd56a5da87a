import { describe, expect, it } from 'vitest';
import { base64Url, groupingPath, validateGroupingKey } from './grouping-key.js';
import { PushgatewayBackend } from './backend.js';

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
  it('a grouping key naming le or quantile is refused at construction: the gateway writes it on every series, so a bucket carried le twice (Pushgateway 1.5 stores and serves that, and no scrape can read it)', () => {
    const url = 'http://gw:9091';
    expect(() => new PushgatewayBackend({ url, job: 'j', groupingKey: { le: 'x' } })).toThrow(/groupingKey" must not contain "le": it is the label of every histogram bucket, which would then carry it twice .*"le_group"/);
    expect(() => new PushgatewayBackend({ url, job: 'j', groupingKey: { quantile: 'x' } })).toThrow(/must not contain "quantile"/);
    expect(new PushgatewayBackend({ url, job: 'j', groupingKey: { le_group: 'x' } }).url).toBe('http://gw:9091/metrics/job/j/le_group/x');
  });
  it('a job or grouping-key value with a lone surrogate is refused at construction, naming the option (not a bare URIError)', () => {
    const url = 'http://gw:9091';
    expect(() => new PushgatewayBackend({ url, job: 'j', groupingKey: { instance: 'a\ud800' } })).toThrow(
      new TypeError('PushgatewayBackend option "groupingKey": the value of "instance" holds a lone surrogate (not well-formed Unicode), which no URL can carry'),
    );
    expect(() => new PushgatewayBackend({ url, job: '\udc00x' })).toThrow(/^PushgatewayBackend option "job" holds a lone surrogate/);
    expect(new PushgatewayBackend({ url, job: 'j', groupingKey: { instance: 'caf\u00e9 \ud83d\ude00' } }).url).toBe('http://gw:9091/metrics/job/j/instance/caf%C3%A9%20%F0%9F%98%80');
  });
});
