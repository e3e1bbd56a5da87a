/**
 * @module
 * Cloudflare Workers adapter for @lexigram/monitor: `instrument()` for a Worker's handlers,
 * `instrumentDO()` for Durable Object classes, `pagesMiddleware()` for Pages Functions, traced
 * outgoing `fetch` and bindings.
 * No static `node:` import: a Worker loads and works without `nodejs_compat`.
 */
export { instrument, type WorkerHandler, type InstrumentedHandler } from './src/instrument.js';
export { instrumentDO } from './src/durable-object.js';
export { pagesMiddleware, getPagesTelemetry, type PagesContext, type PagesFunction } from './src/pages.js';
export { getRequestTelemetry, type WorkerTelemetry } from './src/telemetry.js';
export type { BindingCallEvent, BindingType } from './src/binding-span.js';
export type { WorkersOptions, WorkersAdapterOptions, WorkersConfig } from './src/options.js';
export type {
  ExecutionContext,
  ExecutionContextLike,
  ScheduledController,
  MessageBatch,
  QueueMessage,
  DurableObjectState,
  ForwardableEmailMessage,
  TraceItem,
} from './src/types.js';
export { getActiveSpan, getActiveScope } from '../../src/context/active.js';
/** A span per Queues message in a `queue` handler (the same function as `@lexigram/monitor/serverless`'s). */
export { traceRecord } from '../serverless/src/trace-record.js';
