// An Error given as an attribute value (not as the exception a span or log records) has its texts
// masked as exception.message is: a URL's credentials and secret parameters quoted in them stay in.
import { expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

it('a logged Error attribute whose cause is a string quoting a connection URL has its password masked', async () => {
  const { monitor, memory } = createTestMonitor();
  const err = new Error('db connect failed', { cause: 'connect to postgres://app:SEKRET_PW@db.internal:5432/phi refused' });
  monitor.logger.error('query failed', { err });
  monitor.logger.error('query failed', { nested: { list: [new Error('outer', { cause: new Error('inner', { cause: 'https://h/cb?token=SEKRET_TK' }) })] } });
  await monitor.flush();
  expect(JSON.stringify(memory.logs)).not.toContain('SEKRET');
  expect((memory.logs[0].attributes.err as Record<string, unknown>).cause).toBe('connect to postgres://REDACTED:REDACTED@db.internal:5432/phi refused');
});

it('an Error set as a span attribute, alone or inside an object, has the URL secrets of its message masked', async () => {
  const { monitor, memory } = createTestMonitor();
  const err = new Error('request to https://u:SEKRET_PW@h/x?token=SEKRET_TK failed');
  const span = monitor.tracer.startSpan('s');
  span.setAttribute('err', err as never);
  span.setAttribute('ctx', { err } as never);
  span.setAttribute('errs', [err, 1] as never);
  span.end();
  await monitor.flush();
  const attrs = memory.spans[0].attributes;
  expect(JSON.stringify(attrs)).not.toContain('SEKRET');
  expect(attrs.err).toBe('Error: request to https://REDACTED:REDACTED@h/x?token=REDACTED failed');
});
