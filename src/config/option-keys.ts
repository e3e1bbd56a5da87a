import type { HttpInstrumentationOptions } from '../http/handle-request.js';

/**
 * The keys of `HttpInstrumentationOptions`, as a record so that a key added to the interface
 * and not here fails to compile instead of being refused at run time.
 */
export const HTTP_OPTION_KEYS: Record<keyof HttpInstrumentationOptions, 0> = { route: 0, trustIncomingTrace: 0, captureHeaders: 0, waitForBody: 0, ignoreRequest: 0 };

/**
 * Throws for a key of `options` that `known` lacks: a misspelled option (`timeoutMS`,
 * `flushTimeoutMS`) would otherwise leave its default in force with nobody told.
 */
export function checkOptionKeys(what: string, options: object, known: object): void {
  for (const k of Object.keys(options)) if (!(k in known)) unknownOption(what, k, Object.keys(known));
}

/**
 * checkOptionKeys, then the values of the HTTP options every adapter shares (and `traceFetch`
 * where the adapter has it): `trustIncomingTrace: 'false'` from an env var trusted incoming
 * traces, a `captureHeaders` list given as one string was read letter by letter, a route given
 * as a string was never called, an `ignoreRequest` path given as text failed every request. Each took effect unseen; each now throws where it is given.
 */
export function checkHttpOptions(what: string, options: object, known: object): void {
  checkOptionKeys(what, options, known);
  checkHttpValues(what, options, ['trustIncomingTrace', 'waitForBody']);
}

/** The values of checkHttpOptions; `flags` are the options that must be true or false. */
export function checkHttpValues(what: string, options: object, flags: string[]): void {
  const o = options as Record<string, unknown>;
  const wrong = (k: string, want: string, v: unknown): never => {
    throw new TypeError(`${what}: \`${k}\` must be ${want}, got ${kindOf(v)}.`);
  };
  for (const k of flags) if (o[k] !== undefined && typeof o[k] != 'boolean') wrong(k, 'true or false', o[k]);
  if (o.route !== undefined && typeof o.route != 'function') wrong('route', "a function (request) => route template such as '/users/:id'", o.route);
  // A path given as text (`ignoreRequest: '/health'`) or a list of them would otherwise fail on every request.
  if (o.ignoreRequest !== undefined && typeof o.ignoreRequest != 'function') wrong('ignoreRequest', 'a function (request) => true for a request to leave untraced', o.ignoreRequest);
  const t = o.traceFetch;
  if (t !== undefined && typeof t != 'boolean' && (t === null || typeof t != 'object' || Array.isArray(t))) wrong('traceFetch', 'true, false or fetch options ({ propagateTo })', t);
  const c = o.captureHeaders as Record<string, unknown> | undefined;
  if (c === undefined) return;
  if (c === null || typeof c != 'object' || Array.isArray(c)) wrong('captureHeaders', '{ requestHeaders?: string[], responseHeaders?: string[] }', c);
  checkOptionKeys(`${what}: captureHeaders`, c, CAPTURE_KEYS);
  for (const k in CAPTURE_KEYS) {
    const list = c[k];
    if (list !== undefined && !(Array.isArray(list) && list.every((n) => typeof n == 'string'))) wrong(`captureHeaders.${k}`, "an array of header names (['x-request-id'])", list);
  }
}

const CAPTURE_KEYS = { requestHeaders: 0, responseHeaders: 0 };

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
