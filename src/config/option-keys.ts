import type { HttpInstrumentationOptions } from '../http/handle-request.js';

/**
 * The keys of `HttpInstrumentationOptions`, as a record so that a key added to the interface
 * and not here fails to compile instead of being refused at run time.
 */
export const HTTP_OPTION_KEYS: Record<keyof HttpInstrumentationOptions, 0> = { route: 0, trustIncomingTrace: 0, captureHeaders: 0, waitForBody: 0 };

/**
 * Throws for a key of `options` that `known` lacks: a misspelled option (`timeoutMS`,
 * `flushTimeoutMS`) would otherwise leave its default in force with nobody told.
 */
export function checkOptionKeys(what: string, options: object, known: object): void {
  for (const k of Object.keys(options)) if (!(k in known)) unknownOption(what, k, Object.keys(known));
}

/** The error of a misspelled option: what was given, and every name that would have been read. */
export function unknownOption(what: string, k: string, known: readonly string[]): never {
  throw new TypeError(`${what}: unknown option \`${k}\`; known options are ${known.join(', ')}.`);
}

/**
 * Throws for an option of the library given beside a runtime's own server options, where Deno's
 * and Bun's `serve()` take it under `instrumentation`: the runtime would ignore it unseen.
 */
export function checkNotBeside(options: object, known: object): void {
  for (const k of Object.keys(options)) {
    if (Object.hasOwn(known, k)) throw new TypeError(`serve: \`${k}\` goes under \`instrumentation\` ({ instrumentation: { ${k} } }); the other keys are the runtime's own.`);
  }
}

/**
 * How a wrong value is named in a message: numbers and booleans as written, text quoted (a number
 * given as text, a Workers var, must not read as the number), anything else by its type.
 */
export function kindOf(v: unknown): string {
  if (v == null) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : `a ${typeof v}`;
}
