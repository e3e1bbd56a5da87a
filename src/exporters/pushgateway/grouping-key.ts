/**
 * Pushgateway grouping-key URLs (PG-01, PG-02): `/metrics/job/<job>{/<label>/<value>}`.
 *
 * @module
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const encoder = new TextEncoder();

/**
 * RFC 4648 §5 URL-safe base64 of the UTF-8 bytes, without padding; `=` for the empty string,
 * which is how the Pushgateway wants an empty value written (PG-02).
 *
 * @example
 * base64Url('/var/tmp') // 'L3Zhci90bXA'
 * base64Url('')         // '='
 */
export function base64Url(value: string): string {
  if (value === '') return '=';
  const bytes = encoder.encode(value);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * One `/<label>/<value>` segment pair; `@base64` when plain URI escaping cannot carry the value:
 * empty, holding `/`, or `.` / `..`, which URL parsing removes as dot segments (`/inst/..` would
 * name the parent group, and a delete would remove it).
 */
function segment(label: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || value.includes('/')) return '/' + label + '@base64/' + base64Url(value);
  return '/' + label + '/' + encodeURIComponent(value);
}

/** What a value holding a lone surrogate is: it has no UTF-8 form, so no URL can carry it. */
export const NOT_WELL_FORMED = 'holds a lone surrogate (not well-formed Unicode), which no URL can carry';

/** No lone surrogate (`String#isWellFormed`, which not every runtime here has). */
export function wellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks grouping-key label names; throws a `TypeError` naming the option on the first bad one.
 * `job` is not allowed here because it is its own option.
 */
export function validateGroupingKey(groupingKey: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(groupingKey)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new TypeError(
        `PushgatewayBackend option "groupingKey": ${JSON.stringify(name)} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")`,
      );
    }
    if (name === 'job') throw new TypeError('PushgatewayBackend option "groupingKey" must not contain "job"; use the "job" option');
    // The gateway writes the grouping key on every series it stores: `le` or `quantile` there
    // would overwrite every histogram bucket's or summary quantile's own, and the push be refused.
    if (name === 'le' || name === 'quantile') {
      throw new TypeError(`PushgatewayBackend option "groupingKey" must not contain "${name}": it is the label of every ${name === 'le' ? 'histogram bucket' : 'summary quantile'}, which would then carry it twice (no scrape reads that); name it otherwise (e.g. "${name}_group")`);
    }
    if (typeof value !== 'string') {
      throw new TypeError(`PushgatewayBackend option "groupingKey": the value of ${JSON.stringify(name)} must be a string`);
    }
    if (!wellFormed(value)) throw new TypeError(`PushgatewayBackend option "groupingKey": the value of ${JSON.stringify(name)} ${NOT_WELL_FORMED}`);
  }
}

/**
 * The path below the Pushgateway's base URL for a job and grouping key.
 *
 * @example
 * groupingPath('nightly', { path: '/var/tmp', shard: '' })
 * // '/metrics/job/nightly/path@base64/L3Zhci90bXA/shard@base64/='
 */
export function groupingPath(job: string, groupingKey: Readonly<Record<string, string>> = {}): string {
  let path = '/metrics' + segment('job', job);
  for (const [name, value] of Object.entries(groupingKey)) path += segment(name, value);
  return path;
}
