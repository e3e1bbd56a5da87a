/**
 * The few Workers runtime objects the adapter touches, declared here so the shipped code
 * does not depend on `@cloudflare/workers-types` (the real objects are structurally wider).
 */

/** The third argument of `fetch`, `scheduled`, `queue`, `email` and `tail`. */
/**
 * The `ctx` a handler receives, as workerd passes it: `passThroughOnException` and `props` are
 * always there, so a handler typed for Hono's or @cloudflare/workers-types' context (a Hono
 * app's `fetch`) can be given to `instrument()`.
 */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: unknown;
}

/** The `ctx` an instrumented handler accepts: `waitUntil` at least (a test's stub may have nothing more). */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
  readonly props?: unknown;
}

/*
 * The event types below are the platform's shapes (as @cloudflare/workers-types declares them): a
 * handler typed with them may call what workerd passes (`controller.noRetry()`, `message.forward()`).
 * Members that older workers-types lack are optional, and what the adapter never reads is typed
 * loosely, so workers-types' objects stay assignable to them.
 */
export interface ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
  noRetry(): void;
}

export interface QueueMessage<Body = unknown> {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export interface MessageBatch<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly QueueMessage<Body>[];
  readonly metadata?: { readonly metrics: { readonly backlogCount: number; readonly backlogBytes: number; readonly oldestMessageTimestamp?: Date } };
  ackAll(): void;
  retryAll(options?: { delaySeconds?: number }): void;
}

/** An incoming email (`email(message, env, ctx)`); only the size is recorded. */
export interface ForwardableEmailMessage {
  readonly from: string;
  readonly to: string;
  readonly raw: ReadableStream<Uint8Array>;
  readonly headers: Headers;
  readonly rawSize: number;
  readonly canBeForwarded?: boolean;
  setReject(reason: string): void;
  forward(rcptTo: string, headers?: Headers): Promise<unknown>;
  /** `message`: an `EmailMessage` of `cloudflare:email`. */
  reply(message: { readonly from: string; readonly to: string }): Promise<unknown>;
}

/** A Tail Worker's event (`tail(events, env, ctx)`); only their number is recorded. */
export interface TraceItem {
  /** The traced invocation's event, shaped by its trigger (`request` for fetch, `cron` for scheduled...), or null. */
  readonly event: any;
  readonly eventTimestamp: number | null;
  readonly logs: readonly { readonly timestamp: number; readonly level: string; readonly message: any }[];
  readonly exceptions: readonly { readonly timestamp: number; readonly name: string; readonly message: string; readonly stack?: string }[];
  readonly diagnosticsChannelEvents?: readonly { readonly timestamp: number; readonly channel: string; readonly message: any }[];
  readonly scriptName: string | null;
  readonly entrypoint?: string;
  readonly scriptVersion?: { readonly id?: string; readonly tag?: string; readonly message?: string };
  readonly dispatchNamespace?: string;
  readonly scriptTags?: readonly string[];
  readonly outcome: string;
  readonly executionModel?: string;
  readonly truncated?: boolean;
  readonly cpuTime?: number;
  readonly wallTime?: number;
}

/** The `ctx` of a Durable Object (CF-07): not an ExecutionContext, but it has `waitUntil`. */
export interface DurableObjectState {
  waitUntil(promise: Promise<unknown>): void;
  readonly id: { toString(): string; readonly name?: string };
}

/** The handlers a Worker's default export may have (the other properties pass through). */
export interface ExportedHandler<Env = unknown> {
  fetch?(request: Request, env: Env, ctx: ExecutionContext, ...rest: never[]): Response | Promise<Response>;
  scheduled?(controller: ScheduledController, env: Env, ctx: ExecutionContext, ...rest: never[]): void | Promise<void>;
  queue?(batch: MessageBatch, env: Env, ctx: ExecutionContext, ...rest: never[]): void | Promise<void>;
  email?(message: ForwardableEmailMessage, env: Env, ctx: ExecutionContext, ...rest: never[]): void | Promise<void>;
  tail?(events: TraceItem[], env: Env, ctx: ExecutionContext, ...rest: never[]): void | Promise<void>;
}
