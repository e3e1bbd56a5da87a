import type { Monitor } from '../monitor.js';
import { clientHistogram } from '../http/server-metrics.js';
import { measuredFor, type Span } from '../trace/span.js';
import { secondsBetween } from '../time.js';

/**
 * `faas.invoke_duration` in seconds (FaaS metrics conventions), created once per monitor, with
 * the buckets of the library's other durations (the monitor's default, as the HTTP server
 * duration: the conventions' advice for it is the same list). Attributes: `faas.trigger`, and
 * `error.type` on failure (recording-errors conventions); nothing per invocation (no message
 * id, no cron time), so the series stay few.
 */
const invokeDuration = /* @__PURE__ */ clientHistogram('faas.invoke_duration', "Measures the duration of the function's logic execution.", ['faas.trigger', 'error.type']);

/**
 * Records a non-HTTP invocation's duration (a cron run, a queue batch, a Lambda SQS event, ...)
 * with the start and end its span has, observed while that span still records so that the
 * exemplar points to its trace. Recorded whether the span is sampled or not (as an HTTP request's
 * point is); a disabled monitor records nothing (its collector is closed). Never throws.
 */
export function recordInvocation(monitor: Monitor, span: Span, trigger: unknown, start: number, end: number, errorType: string | undefined): void {
  measuredFor.span = span;
  try {
    const labels: Record<string, string> = { 'faas.trigger': typeof trigger === 'string' ? trigger : 'other' };
    if (errorType) labels['error.type'] = errorType;
    invokeDuration(monitor).observe(secondsBetween(start, end), labels);
  } catch {
    // telemetry must not change the invocation's outcome
  }
  measuredFor.span = undefined;
}
