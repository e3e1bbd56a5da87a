import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMonitor } from '../../monitor.js';
import { ConsoleBackend } from './console-backend.js';
import { formatAttributes } from './format.js';

describe('console output of a record with more attributes than are printed', () => {
  afterEach(() => vi.restoreAllMocks());

  it("still prints an error's exception.type and exception.message after a child logger's 19 bound attributes", async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const monitor = createMonitor({ onDiagnostic: () => undefined, serviceName: 's', backends: [new ConsoleBackend()] });
    const bound = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`ctx${i}`, i]));
    monitor.logger.child(bound).error('payment failed', new Error('card declined'));
    await monitor.flush();
    const line = String(log.mock.calls[0]![0]);
    expect(line).toContain('exception.type="Error"');
    expect(line).toContain('exception.message="card declined"');
    // The stack trace alone is left out, and said to be.
    expect(line).not.toContain('exception.stacktrace');
    expect(line).toMatch(/ …\+1\}/);
  });

  it('prints the first 20 otherwise, unchanged', () => {
    const attrs = Object.fromEntries(Array.from({ length: 22 }, (_, i) => [`k${i}`, i]));
    expect(formatAttributes(attrs)).toBe(` {${Array.from({ length: 20 }, (_, i) => `k${i}=${i}`).join(' ')} …+2}`);
    expect(formatAttributes({ ...attrs, 'exception.message': 'boom' })).toBe(` {${Array.from({ length: 20 }, (_, i) => `k${i}=${i}`).join(' ')} exception.message="boom" …+2}`);
  });
});
