/** OTLP `SpanFlags` bits (TR-04): bit 8 says "is-remote is known", bit 9 says "is remote". */
export const HAS_IS_REMOTE = 0x100;
export const IS_REMOTE = 0x200;

/**
 * Span and link `flags`: the W3C trace flags plus the remote bits. A local span always knows
 * whether its parent (or a link) came from another process, so bit 8 is always set, as the
 * OpenTelemetry JS SDK does.
 */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}
