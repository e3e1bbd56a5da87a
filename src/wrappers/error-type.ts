/**
 * The `error.type` of a thrown value (OpenTelemetry semantic conventions): the error class
 * name, so the label set stays small whatever the messages say.
 */
export function errorType(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error';
  if (typeof err === 'string' && err.length > 0 && err.length <= 64) return err;
  return err === null || err === undefined ? 'Error' : typeof err === 'object' ? (err as object).constructor?.name || 'Error' : typeof err;
}
