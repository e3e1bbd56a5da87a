import { checkOptionKeys } from '../config/option-keys.js';
import { now, timerMs } from '../time.js';
import { DEFAULT_TIMEOUT_SECONDS, HealthStatus, type HealthCheck, type HealthCheckResult } from './status.js';

/** Options of `httpCheck`. */
export interface HttpCheckOptions {
  /** Request method (default GET). */
  method?: string;
  /**
   * Request headers, in any form `fetch` takes (a Headers, a record, pairs, a Map). Spelled out:
   * `HeadersInit` is only in the DOM lib, and each runtime's types declare it differently.
   */
  headers?: Headers | Record<string, string> | Iterable<Iterable<string>>;
  /** Statuses that count as healthy (default: any 2xx). */
  expectStatus?: number | number[] | ((status: number) => boolean);
  /** Responses slower than this many milliseconds are DEGRADED. */
  degradedAfterMs?: number;
  /** Component name in results (default: the registered name). */
  component?: string;
  /**
   * The fetch to use (default `globalThis.fetch`), or an object with a `fetch` method, called on
   * it: on Workers pass a service binding itself (`fetch: env.AUTH`). Its method alone
   * (`env.AUTH.fetch`, detached) throws "Illegal invocation" when called.
   */
  fetch?: typeof fetch | { fetch(input: string, init?: RequestInit): Promise<Response> };
}

function statusOk(expect: HttpCheckOptions['expectStatus'], status: number): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  if (typeof expect === 'function') return expect(status);
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

function configError(message: string): TypeError {
  return new TypeError(`httpCheck: ${message}`);
}

/** A record, so an option added to the interface and not here fails to compile. */
const KNOWN: Record<keyof HttpCheckOptions, 0> = { method: 0, headers: 0, expectStatus: 0, degradedAfterMs: 0, component: 0, fetch: 0 };

function checkOptions(target: string, options: HttpCheckOptions): void {
  checkOptionKeys('httpCheck', options, KNOWN);
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    throw configError(`the URL must be an absolute http(s) URL such as "https://payments.internal/health", got ${JSON.stringify(target)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw configError(`the URL must use http: or https:, got ${JSON.stringify(parsed.protocol)}`);
  // fetch refuses such a URL: every run would fail, its error (quoting the password) shown in /health and alerts.
  if (parsed.username || parsed.password) throw configError('the URL must not hold a user or password, which fetch refuses; send them in a header instead, such as headers: { authorization: "Basic " + btoa("user:password") }');
  const { degradedAfterMs, expectStatus, method } = options;
  if (degradedAfterMs !== undefined && !(typeof degradedAfterMs === 'number' && degradedAfterMs >= 0 && Number.isFinite(degradedAfterMs))) {
    throw configError(`option "degradedAfterMs" must be a number of milliseconds ≥ 0, got ${String(degradedAfterMs)}`);
  }
  const isStatus = (s: unknown): boolean => typeof s === 'number' && Number.isInteger(s);
  if (expectStatus !== undefined && typeof expectStatus !== 'function' && !isStatus(expectStatus) && !(Array.isArray(expectStatus) && expectStatus.every(isStatus))) {
    throw configError('option "expectStatus" must be a status code, an array of status codes or a function of the status');
  }
  const f = options.fetch as unknown;
  if (f !== undefined && typeof f !== 'function' && !(typeof f === 'object' && f !== null && typeof (f as { fetch?: unknown }).fetch === 'function')) {
    throw configError('option "fetch" must be a function or an object with a fetch method (a service binding)');
  }
  if (method !== undefined && (typeof method !== 'string' || method === '')) throw configError('option "method" must be an HTTP method such as "GET" or "HEAD"');
}

/**
 * A check that fetches a URL. Aborted when the registry's timeout is spent, so a hanging
 * dependency does not hold a connection open.
 *
 * @example
 * ```ts
 * monitor.health.register('payments', httpCheck('https://payments.internal/health', { degradedAfterMs: 500 }));
 * ```
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): HealthCheck {
  const target = String(url);
  // Validate now: a malformed URL or option is configuration, not an outage (DESIGN §5).
  checkOptions(target, options);
  return {
    async check(timeoutSeconds: number, signal?: AbortSignal): Promise<HealthCheckResult> {
      const controller = new AbortController();
      // The caller's reason is kept (the registry's timeout is a TimeoutError), and this timer's is
      // one too: aborted without a reason, the fetch fails with an AbortError, a deliberate cancel,
      // and a traced fetch records the timeout as a clean request.
      const onAbort = (): void => controller.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort);
      // A signal aborted already fires no event: without this the request went out regardless.
      if (signal?.aborted) onAbort();
      // Called by hand without a budget (`httpCheck(url).check()` inside a function check), NaN ms
      // would fire at once and abort every request: the registry's default applies instead.
      const seconds = typeof timeoutSeconds === 'number' && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
      const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${seconds} s`, 'TimeoutError')), timerMs(seconds * 1000));
      const start = now();
      const component = options.component ?? '';
      try {
        const init: RequestInit = { method: options.method ?? 'GET', headers: options.headers as RequestInit['headers'], signal: controller.signal };
        const custom = options.fetch;
        // A binding's fetch is called as its method: detached, workerd refuses it.
        const res = await (custom === undefined ? fetch(target, init) : typeof custom === 'function' ? custom(target, init) : custom.fetch(target, init));
        const latencyMs = now() - start;
        // Release the connection: only the status matters.
        void res.body?.cancel().catch(() => {});
        if (!statusOk(options.expectStatus, res.status)) {
          return { component, status: HealthStatus.UNHEALTHY, error: `HTTP ${res.status}`, latencyMs, details: { httpStatus: res.status } };
        }
        const slow = options.degradedAfterMs !== undefined && latencyMs > options.degradedAfterMs;
        return {
          component,
          status: slow ? HealthStatus.DEGRADED : HealthStatus.HEALTHY,
          ...(slow ? { error: `slow: ${Math.round(latencyMs)} ms > ${options.degradedAfterMs} ms` } : {}),
          latencyMs,
          details: { httpStatus: res.status },
        };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
