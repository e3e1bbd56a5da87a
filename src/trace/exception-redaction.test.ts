// What a failed call leaves on its span, its status message and its exception event, meets the
// redactor: a URL's token quoted by the error, or a thrown object's secret-named field.
import { expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { SpanStatus } from '../index.js';

it('the status message and a thrown object in the exception event keep no secret', async () => {
  const { monitor, memory } = createTestMonitor();
  const span = monitor.tracer.startSpan('call');
  span.setStatus(SpanStatus.ERROR, 'request to https://api.example/v1?token=SECRET-status failed');
  span.recordException({ access_token: 'SECRET-field', code: 7 });
  span.end();
  await monitor.flush();
  const text = JSON.stringify(memory.spans[0]);
  expect(text).not.toContain('SECRET-status');
  expect(text).not.toContain('SECRET-field');
  expect(memory.spans[0]!.status.message).toContain('https://api.example/v1?token=REDACTED');
  expect(String(memory.spans[0]!.events[0]!.attributes['exception.message'])).toContain('"code":7');
});
