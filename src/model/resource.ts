import type { Attributes } from './attributes.js';

/** The entity producing telemetry (OTLP `Resource`): `service.name`, `service.version`, `telemetry.sdk.*`, ... */
export interface Resource {
  readonly attributes: Attributes;
}

/** The instrumentation scope (OTLP `InstrumentationScope`). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  /** The scope's telemetry schema (`getTracer(name, version, { schemaUrl })`): OTLP `ScopeSpans.schema_url`. */
  readonly schemaUrl?: string;
}
