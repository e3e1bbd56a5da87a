import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

describe('a Headers or URLSearchParams given as the attributes', () => {
  it("logger.info('request', request.headers) keeps its entries as attributes (secrets redacted), as when nested, on a record and on a child logger", async () => {
    const { monitor, memory } = createTestMonitor();
    const headers = new Headers({ 'content-type': 'text/plain', authorization: 'Bearer abc', 'x-request-id': 'r-1' });
    monitor.logger.info('request', headers as never);
    monitor.logger.info('nested', { headers });
    monitor.logger.child(new URLSearchParams('page=2&sort=asc') as never).info('from a child', { extra: 1 });
    await monitor.flush();
    const [flat, nested, child] = memory.logs.map((l) => ({ ...(l.attributes as object) }));
    expect(flat).toEqual({ authorization: '[REDACTED]', 'content-type': 'text/plain', 'x-request-id': 'r-1' });
    expect(flat).toEqual((nested as { headers: object }).headers);
    expect(child).toEqual({ page: '2', sort: 'asc', extra: 1 });
  });

  it('its entries count against logAttributeCountLimit as any attributes do', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { logAttributeCountLimit: 2 } });
    monitor.logger.child({ region: 'eu' }).info('request', new Headers({ a: '1', b: '2', c: '3' }) as never);
    await monitor.flush();
    expect({ ...(memory.logs[0]!.attributes as object) }).toEqual({ region: 'eu', a: '1' });
    expect(memory.logs[0]!.droppedAttributesCount).toBe(2);
  });
});
