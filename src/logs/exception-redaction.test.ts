// The exception.* attributes a log record takes from an Error meet the redactor as the record's
// own attributes do: a failed request's URL in the message or stack keeps its secrets masked.
import { expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

it('a logged Error quoting a URL with a token has it masked in exception.message and exception.stacktrace', async () => {
  const { monitor, memory } = createTestMonitor();
  const err = new Error('request to https://api.example/v1?token=SECRET-planted failed');
  monitor.logger.error('charge failed', err);
  monitor.logger.error(err);
  await monitor.flush();
  expect(memory.logs).toHaveLength(2);
  for (const log of memory.logs) {
    const text = JSON.stringify(log);
    expect(text).not.toContain('SECRET-planted');
    expect(String(log.attributes['exception.message'])).toContain('https://api.example/v1?token=REDACTED');
    expect(String(log.attributes['exception.stacktrace'])).toContain('token=REDACTED');
  }
});
