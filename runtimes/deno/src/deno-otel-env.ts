/**
 * Where the monitor's own telemetry goes while Deno's OpenTelemetry is on (`OTEL_DENO=true`).
 * Deno exports to `http://localhost:4318` (http/protobuf) when no `OTEL_EXPORTER_OTLP_*` variable
 * says otherwise, and prints instead with `OTEL_EXPORTER_OTLP_PROTOCOL=console` (DN-01). The
 * monitor follows it: the spans it makes under Deno's SERVER span, its logs and metrics then
 * arrive where Deno's do, in the same trace, rather than only in the terminal (where Deno's
 * console capture would even turn the printed lines into log records).
 */
const OTLP_PREFIX = 'OTEL_EXPORTER_OTLP_';
/** Deno's exporter's default, the OTLP/HTTP default (OTLP exporter specification). */
const DENO_DEFAULT_ENDPOINT = 'http://localhost:4318';

export interface FollowedEnv {
  env: Record<string, string>;
  /** Set when Deno's destination could not be read, so the monitor keeps the console backend. */
  unknown?: boolean;
}

/**
 * The environment to configure the monitor from, given Deno's OpenTelemetry is on.
 * `readable(name)` says whether a variable could be read (granted) had it been set: an unset
 * `OTEL_EXPORTER_OTLP_ENDPOINT` that is not readable may be set for Deno, so no default is assumed.
 * Explicit `backends` still win over all of this (see `withEnv`).
 */
export function followDenoExporter(env: Record<string, string>, readable: (name: string) => boolean): FollowedEnv {
  const otlpKeys = Object.keys(env).filter((k) => k.startsWith(OTLP_PREFIX));
  const protocol = (env[`${OTLP_PREFIX}TRACES_PROTOCOL`] ?? env[`${OTLP_PREFIX}PROTOCOL`])?.trim().toLowerCase();
  if (protocol === 'console') {
    // Deno prints its telemetry: so does the monitor (its default backend), not an OTLP post.
    const rest: Record<string, string> = {};
    for (const k in env) if (!k.startsWith(OTLP_PREFIX)) rest[k] = env[k]!;
    return { env: rest };
  }
  if (otlpKeys.length > 0) return { env }; // an OtlpBackend is made from them, with the same defaults as Deno's
  // Any of these set for Deno but not granted to us would send Deno's telemetry elsewhere.
  if (!['ENDPOINT', 'TRACES_ENDPOINT', 'PROTOCOL', 'TRACES_PROTOCOL'].every((k) => readable(OTLP_PREFIX + k))) return { env, unknown: true };
  return { env: { ...env, [`${OTLP_PREFIX}ENDPOINT`]: DENO_DEFAULT_ENDPOINT } };
}
