/** The few parts of Deno's API used here, typed loosely so Deno's own types are assignable. */
export interface DenoServeInfo {
  readonly remoteAddr?: { readonly hostname?: string; readonly port?: number; readonly transport?: string };
}

export interface DenoHttpServer {
  readonly finished: Promise<void>;
  readonly addr?: { readonly hostname?: string; readonly port?: number };
  shutdown(): Promise<void>;
}

export type DenoSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

export interface DenoGlobal {
  serve(options: Record<string, unknown>, handler: (request: Request, info: DenoServeInfo) => Response | Promise<Response>): DenoHttpServer;
  env: { toObject(): Record<string, string>; get(name: string): string | undefined };
  addSignalListener(signal: DenoSignal, handler: () => void): void;
  removeSignalListener(signal: DenoSignal, handler: () => void): void;
  exit(code?: number): never;
  permissions?: { querySync?(descriptor: { name: 'env'; variable?: string }): { state: string } };
}

export function denoGlobal(): DenoGlobal {
  const deno = (globalThis as unknown as { Deno?: DenoGlobal }).Deno;
  if (!deno) throw new Error('@lexigram/monitor/deno needs the Deno runtime (globalThis.Deno is missing); on Node use @lexigram/monitor/node.');
  return deno;
}

/**
 * The environment variables the library reads: the OTEL_* ones it parses (src/config/env.ts,
 * src/exporters/otlp/env.ts) and OTEL_DENO.
 */
const KNOWN_ENV_VARIABLES: readonly string[] = [
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_PROPAGATORS',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BLRP_SCHEDULE_DELAY',
  'OTEL_METRICS_EXEMPLAR_FILTER',
  ...[
    'ENDPOINT',
    'TRACES_ENDPOINT',
    'METRICS_ENDPOINT',
    'LOGS_ENDPOINT',
    'HEADERS',
    'TRACES_HEADERS',
    'METRICS_HEADERS',
    'LOGS_HEADERS',
    'TIMEOUT',
    'COMPRESSION',
    'PROTOCOL',
    'METRICS_TEMPORALITY_PREFERENCE',
    // Per signal (src/exporters/otlp/env.ts): left out, they were never read under a narrow grant.
    ...['TRACES', 'METRICS', 'LOGS'].flatMap((s) => [`${s}_TIMEOUT`, `${s}_COMPRESSION`, `${s}_PROTOCOL`]),
  ].map((name) => `OTEL_EXPORTER_OTLP_${name}`),
  // ENV-16: `none` switches a signal off for the OTLP backend built from the environment.
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_DENO',
];

/** Whether env access (all of it, or one variable) is granted; false when unknown. Never prompts. */
function envGranted(deno: DenoGlobal, variable?: string): boolean {
  const permissions = deno.permissions;
  const descriptor = variable === undefined ? ({ name: 'env' } as const) : ({ name: 'env', variable } as const);
  return permissions?.querySync?.(descriptor).state === 'granted';
}

/** Whether `name` would be in {@link denoEnv} had it been set (all env granted, or this variable). */
export function denoEnvReadable(name: string): boolean {
  try {
    const deno = denoGlobal();
    return typeof deno.permissions?.querySync !== 'function' || envGranted(deno) || envGranted(deno, name);
  } catch {
    return false;
  }
}

/**
 * The environment, without ever asking for a permission (a prompt would stop the app in a
 * terminal): `Deno.env.toObject()` with `--allow-env`; with a narrower grant
 * (`--allow-env=OTEL_SERVICE_NAME,...`), the variables of `KNOWN_ENV_VARIABLES` that are granted,
 * one by one (a `(env) => options` config then sees only those); {} with none. A Deno without
 * `Deno.permissions.querySync` gets `toObject()` as before, or {} if it throws.
 */
export function denoEnv(): Record<string, string> {
  let deno: DenoGlobal;
  try {
    deno = denoGlobal();
  } catch {
    return {};
  }
  try {
    if (typeof deno.permissions?.querySync !== 'function' || envGranted(deno)) return deno.env.toObject();
  } catch {
    // not granted after all: the variables one by one
  }
  const env: Record<string, string> = {};
  for (const name of KNOWN_ENV_VARIABLES) {
    try {
      if (!envGranted(deno, name)) continue;
      const value = deno.env.get(name);
      if (value !== undefined) env[name] = value;
    } catch {
      // this one is not readable
    }
  }
  return env;
}
