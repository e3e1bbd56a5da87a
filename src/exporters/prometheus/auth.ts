/**
 * Authorisation for `/metrics`. Secrets are compared through their SHA-256 digests, so the
 * comparison takes the same time whatever the length or the first differing byte.
 *
 * @module
 */

/** Bearer token, Basic credentials, or a function of the request. */
export type MetricsAuth =
  | { readonly bearerToken: string }
  | { readonly username: string; readonly password: string }
  | ((request: Request) => boolean | Promise<boolean>);

/** Outcome of an authorisation check: `challenge` is the `WWW-Authenticate` value to send on 401. */
export interface AuthCheck {
  readonly ok: boolean;
  readonly challenge: string;
}

const encoder = new TextEncoder();

async function digest(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)));
}

/**
 * Compares two strings in constant time with respect to their content: both are hashed, then the
 * fixed-length digests are XOR-folded without an early exit.
 *
 * @example
 * await timingSafeEqual('secret', 'secret') // true
 */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff |= da[i]! ^ db[i]!;
  return diff === 0;
}

function decodeBasic(encoded: string): string | undefined {
  try {
    const binary = atob(encoded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Builds the check for one auth option. Validates the option now, so a misconfiguration throws
 * at construction rather than on the first scrape.
 *
 * @example
 * const check = createAuthCheck({ bearerToken: 's3cret' });
 * (await check(request)).ok
 */
export function createAuthCheck(auth: MetricsAuth, what = 'metricsHandler'): (request: Request) => Promise<AuthCheck> {
  if (typeof auth === 'function') {
    const challenge = 'Bearer realm="metrics"';
    return async (request) => ({ ok: (await auth(request)) === true, challenge });
  }
  if (auth === null || typeof auth !== 'object' || !('bearerToken' in auth || 'username' in auth || 'password' in auth)) {
    throw new TypeError(`${what} auth: use { bearerToken }, { username, password } or a function`);
  }
  if ('bearerToken' in auth) {
    if (typeof auth.bearerToken !== 'string' || auth.bearerToken === '') {
      throw new TypeError(`${what} auth.bearerToken must be a non-empty string`);
    }
    const expected = auth.bearerToken;
    const challenge = 'Bearer realm="metrics"';
    return async (request) => {
      // The auth-scheme is case-insensitive and followed by 1*SP (RFC 9110 §11.1, §11.4).
      const header = request.headers.get('authorization') ?? '';
      const scheme = /^bearer +/i.exec(header);
      // Always compare, even without the scheme, so timing does not say which it was.
      const same = await timingSafeEqual(scheme ? header.slice(scheme[0].length) : '', expected);
      return { ok: scheme !== null && same, challenge };
    };
  }
  if (typeof auth.username !== 'string' || typeof auth.password !== 'string' || auth.username === '') {
    throw new TypeError(`${what} auth needs a non-empty username and a password string`);
  }
  if (auth.username.includes(':')) throw new TypeError(`${what} auth.username must not contain ":"`);
  const expected = auth.username + ':' + auth.password;
  const challenge = 'Basic realm="metrics", charset="UTF-8"';
  return async (request) => {
    const header = request.headers.get('authorization') ?? '';
    const match = /^basic\s+(\S+)\s*$/i.exec(header);
    const given = match ? decodeBasic(match[1]!) : undefined;
    // Always compare, even when the header is malformed, so timing does not say which it was.
    const same = await timingSafeEqual(given ?? '', expected);
    return { ok: given !== undefined && same, challenge };
  };
}
