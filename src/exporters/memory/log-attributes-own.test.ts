import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../../testing/index.js';

describe('MemoryBackend log records', () => {
  it("have attributes of their own: editing one record's leaves the logger's bound attributes and later records alone", async () => {
    const { monitor, memory } = createTestMonitor();
    const log = monitor.logger.child({ user: 'ann' });
    log.info('first');
    await monitor.flush();
    delete (memory.logs[0]!.attributes as Record<string, unknown>).user;
    log.info('second');
    await monitor.flush();
    expect(memory.logs[1]!.attributes).toMatchObject({ user: 'ann' });
  });
});
