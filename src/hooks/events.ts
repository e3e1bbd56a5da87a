/**
 * @module
 * The hook events (the original's framework hook subscriptions), by name. Durations are
 * milliseconds, as instrumentation code measures them; metrics convert to seconds.
 */

/** An outcome that may have failed: the error (or its type name) when it did. */
export interface MaybeFailed {
  /** The error, or its type name, when the operation failed; `undefined`, `null`, `false` or `''` when it did not. */
  error?: unknown;
  /**
   * True when the emitter already recorded a span for this operation (the Workers binding
   * instrumentation, the Hono middleware): the subscriber then records metrics only.
   */
  traced?: boolean;
}

export interface CacheEvent {
  /** Which cache (binding or namespace name). */
  cache?: string;
  key?: string;
}

export interface EventsEvent {
  topic: string;
}

/** The messaging system, on the consumer span as `messaging.system` (`kafka`, `rabbitmq`, `aws_sqs` …). */
export interface MessagingSystem {
  system?: string;
}

export interface SqlQueryEvent extends MaybeFailed {
  /** The database product, on the span as `db.system.name` (`postgresql`, `mysql`, `sqlite` …). */
  system?: string;
  /** The operation word (SELECT, INSERT …); derived from `statement` when left out. */
  operation?: string;
  /** The database (D1 binding name, schema). */
  database?: string;
  /** The statement text: put on the span only (its literals replaced by `?`), never in a label (cardinality). */
  statement?: string;
  durationMs: number;
}

export interface WebRequestEvent extends MaybeFailed {
  method: string;
  /** The route pattern (`/users/:id`), not the raw path (cardinality). */
  route?: string;
  status: number;
  durationMs: number;
}

export interface AuthLoginEvent {
  /** `password`, `oauth`, `api_key` … */
  method?: string;
  /** Why a login failed (`bad_password`, `locked`); keep it to a few values. */
  reason?: string;
}

export interface QueueEvent {
  queue: string;
}

export interface QueueProcessEvent extends QueueEvent, MessagingSystem, MaybeFailed {
  durationMs: number;
}

export interface TaskStartEvent {
  task: string;
}

export interface TaskEndEvent extends TaskStartEvent, MaybeFailed {
  durationMs: number;
}

/** Every hook event name and its payload. */
export interface HookEvents {
  'cache.hit': CacheEvent;
  'cache.miss': CacheEvent;
  'cache.set': CacheEvent;
  'cache.delete': CacheEvent;
  'events.publish': EventsEvent;
  'events.consume': EventsEvent & MessagingSystem & MaybeFailed & { durationMs?: number };
  'sql.query': SqlQueryEvent;
  'web.request': WebRequestEvent;
  'auth.login.success': AuthLoginEvent;
  'auth.login.failure': AuthLoginEvent;
  'queue.enqueue': QueueEvent;
  'queue.process': QueueProcessEvent;
  'task.start': TaskStartEvent;
  'task.end': TaskEndEvent;
}

export type HookEventName = keyof HookEvents;
export type HookListener<K extends HookEventName> = (payload: HookEvents[K]) => void;
