/**
 * What a thrown or rejected value says, as text: an Error's message, else the value as a string.
 * Never throws (an object without toString, a `message` getter that throws): it is read where a
 * failure is being reported, which must not fail in turn.
 */
export function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    return 'an error that cannot be shown as text';
  }
}
