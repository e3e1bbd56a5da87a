/**
 * Escaping for the two exposition formats. The formats differ only in HELP: 0.0.4 leaves `"`
 * alone (PT-03), OpenMetrics escapes it like a label value (OM-05). Every function tests for the
 * rare characters first, because almost no real string needs escaping.
 *
 * @module
 */

const NEEDS_VALUE_ESCAPE = /[\\"\n]/;
const NEEDS_TEXT_HELP_ESCAPE = /[\\\n]/;

function escapeAll(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes a label value for both formats: `\` → `\\`, `"` → `\"`, LF → `\n` (PT-04, OM-05). */
export function escapeLabelValue(value: string): string {
  return NEEDS_VALUE_ESCAPE.test(value) ? escapeAll(value) : value;
}

/** Escapes a 0.0.4 HELP docstring: only `\` and LF (PT-03). */
export function escapeHelpText(help: string): string {
  return NEEDS_TEXT_HELP_ESCAPE.test(help) ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}

/** Escapes an OpenMetrics HELP docstring: `\`, `"` and LF (OM-05). */
export function escapeHelpOpenMetrics(help: string): string {
  return NEEDS_VALUE_ESCAPE.test(help) ? escapeAll(help) : help;
}
