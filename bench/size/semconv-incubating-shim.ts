// @microlabs/otel-cf-workers rc.52 imports ATTR_FAAS_TIME, which the semantic-conventions release
// that npm resolves for it (1.45) no longer exports; esbuild refuses the missing import. This shim
// re-exports the real module and adds the one constant, so the incumbent bundles as it would have.
export * from '../../node_modules/@opentelemetry/semantic-conventions/dist/index-incubating.mjs';
export const ATTR_FAAS_TIME = 'faas.time';
