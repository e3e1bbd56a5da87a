import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import { httpCheck } from './http-check.js';

describe('httpCheck given a URL with a user or password', () => {
  it('throws at construction, saying where credentials go, without quoting them', () => {
    for (const url of ['https://user:s3cret@payments.internal/health', 'https://token@payments.internal/health', 'https://:s3cret@payments.internal/health']) {
      let message = '';
      try {
        httpCheck(url);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^httpCheck: the URL must not hold a user or password, which fetch refuses; send them in a header/);
      expect(message).not.toMatch(/s3cret|token/);
    }
    expect(() => httpCheck('https://payments.internal/health?user=a')).not.toThrow();
  });

  it('before, fetch refused every run and the health report carried the password', async () => {
    // What such a check did when built: fetch rejects the URL (as Node's, Deno's and workerd's do).
    const report = await new HealthCheckRegistry()
      .register('payments', async () => {
        await fetch('https://user:s3cret@payments.internal/health');
      })
      .checkAll();
    expect(report.checks.payments!.status).toBe('unhealthy');
    expect(report.checks.payments!.error).toContain('s3cret');
  });
});
