// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { instrumentFetch, type FetchFn, type FetchInstrumentationOptions } from '../../../src/http/instrument-fetch.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { instrumentAi } from './ai.js';
import { instrumentD1 } from './d1.js';
import { dbCall, dbSpec, fixed, native, natives, observedCall, readOnly, tracedCall, type BindingContext, type BindingType } from './binding-span.js';
import { detectBinding } from './detect.js';
import { instrumentRateLimit } from './rate-limit.js';
import { instrumentVectorize } from './vectorize.js';
import { instrumentAnalyticsEngine } from './analytics-engine.js';

type AnyFn = (...args: unknown[]) => unknown;

export interface BindingsContext extends BindingContext {
  readonly propagateTo: FetchInstrumentationOptions['propagateTo'];
}

const KV_OPS = new Set(['get', 'getWithMetadata', 'put', 'delete', 'list']);
const R2_OPS = new Set(['get', 'head', 'put', 'delete', 'list', 'createMultipartUpload']);
const R2_UPLOAD_OPS = new Set(['uploadPart', 'complete', 'abort']);

/**
 * A proxy over `target` whose methods in `ops` are replaced by `wrap(name, original)`; every
 * other property is read from the target, functions bound to it (native bindings refuse a
 * proxy as `this`). Wrapped methods are made once per proxy, and anew when the target's function
 * changes. `uncached(t, prop, fn)`, when given and it answers, supplies a function property made
 * anew on every read instead; `object(prop, v)`, when it answers, an object property (made once:
 * a Durable Object's `sql`). A property the target can never change (read-only and not
 * configurable: a frozen binding, as a test may hand one) is answered as it is, untraced, and
 * counted once through `bc`: a Proxy that answers another value throws a TypeError (an
 * invariant of Proxy) into the app's call.
 */
export function methodProxy<T extends object>(
  target: T,
  wrap: (name: string, original: AnyFn) => AnyFn | undefined,
  bc: BindingContext,
  uncached?: ((t: T, prop: PropertyKey, fn: AnyFn) => unknown) | undefined,
  object?: (prop: PropertyKey, v: unknown) => object | undefined,
): T {
  const objects = new Map<PropertyKey, object>();
  /** Each method made: the target's function it was made from, and what is handed out. */
  const made = new Map<PropertyKey, [AnyFn, unknown]>();
  return new Proxy(target, {
    get(t, prop) {
      if (object !== undefined) {
        const o = objects.get(prop);
        if (o !== undefined) return o;
      }
      const v = Reflect.get(t, prop, t) as unknown;
      // `constructor` is the binding's class, not a method: bound, `env.DB.constructor.name` read
      // "bound D1Database" (apps and tools find their bindings in env by that name).
      if (typeof v !== 'function' || prop === 'constructor') {
        const o = object?.(prop, v);
        if (!o) return v;
        // Made once, so checked once; a read-only object is kept as the one to answer.
        const out = fixed(t, prop, bc) ? (v as object) : o;
        objects.set(prop, out);
        return out;
      }
      // Only while the target still has that function: one the app put in its place later (a
      // test's `vi.spyOn(env.KV, 'get')`, after a first request) was never called, the first kept.
      const hit = made.get(prop);
      if (hit !== undefined && hit[0] === v) return hit[1];
      // (`uncached` answers only names the target does not define: none of them read-only.)
      const fresh = uncached?.(t, prop, v as AnyFn);
      if (fresh !== undefined) return fresh;
      // Checked when a method is made, never on a hit: a read-only one cannot change after.
      if (fixed(t, prop, bc)) {
        made.set(prop, [v as AnyFn, v]);
        return v;
      }
      const original = (v as AnyFn).bind(t) as AnyFn;
      const wrapped = (typeof prop === 'string' && prop !== 'then' && wrap(prop, original)) || original;
      made.set(prop, [v as AnyFn, wrapped]);
      return wrapped;
    },
  });
}

function kv(bc: BindingsContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => {
    if (!KV_OPS.has(op)) return undefined;
    const read = op === 'get' || op === 'getWithMetadata';
    return dbCall(
      bc,
      {
        // DB conventions: `{db.operation.name} {target}`, the target the namespace (the binding).
        ...dbSpec('kv', 'cloudflare.kv', name, op),
        result: read
          ? (v) => {
              // A bulk read (`get([...keys])`) answers a Map, found or not: no single hit or miss.
              if (v instanceof Map) return undefined;
              const hit = op === 'get' ? v !== null && v !== undefined : (v as { value?: unknown } | null)?.value != null;
              return { hit, attributes: { 'cloudflare.kv.hit': hit } };
            }
          : undefined,
      },
      original,
    );
  }, bc);
}

function r2(bc: BindingsContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => {
    // A multipart upload's calls go through the upload object these hand out.
    if (op === 'resumeMultipartUpload') return (...args) => r2Upload(bc, name, original(...args));
    if (!R2_OPS.has(op)) return undefined;
    const read = op === 'get' || op === 'head';
    const call = r2Call(bc, name, op, original, read ? (v) => ({ hit: v != null, attributes: { 'cloudflare.r2.hit': v != null } }) : undefined);
    return op === 'createMultipartUpload' ? (...args) => Promise.resolve(call(...args)).then((u) => r2Upload(bc, name, u)) : call;
  }, bc);
}

/** One R2 operation's CLIENT span `<op> <binding>` (DB conventions: `{db.operation.name} {db.namespace}`). */
function r2Call(bc: BindingsContext, name: string, op: string, original: AnyFn, result?: (v: unknown) => { hit: boolean; attributes: Record<string, unknown> }): AnyFn {
  return dbCall(bc, { ...dbSpec('r2', 'cloudflare.r2', name, op), result }, original);
}

/** An R2 multipart upload: `uploadPart`, `complete` and `abort` get spans of their own. */
function r2Upload(bc: BindingsContext, name: string, upload: unknown): unknown {
  if (upload === null || typeof upload !== 'object') return upload;
  const p = methodProxy(upload, (op, original) => (R2_UPLOAD_OPS.has(op) ? r2Call(bc, name, op, original) : undefined), bc);
  natives.set(p, upload);
  return p;
}

function queue(bc: BindingsContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => {
    if (op !== 'send' && op !== 'sendBatch') return undefined;
    return (...args) => {
      const count = op === 'send' ? 1 : Array.isArray(args[0]) ? args[0].length : undefined;
      const attributes: Record<string, unknown> = {
        'messaging.system': 'cloudflare_queues',
        'messaging.destination.name': name,
        'messaging.operation.type': 'send',
        'messaging.operation.name': op,
      };
      if (op === 'sendBatch' && count !== undefined) attributes['messaging.batch.message_count'] = count;
      // Messaging conventions: named `{messaging.operation.name} {destination}`.
      return tracedCall(
        bc,
        { type: 'queue', binding: name, operation: op, name: `${op} ${name}`, kind: SpanKind.PRODUCER, attributes, messageCount: count },
        () => original(...args),
      );
    };
  }, bc);
}

/** A traced `fetch` for a service binding or a Durable Object stub: CLIENT span plus traceparent. */
function tracedFetcherFetch(bc: BindingsContext, peer: string, original: AnyFn): AnyFn {
  const traced = instrumentFetch(bc.monitor, original as FetchFn, { propagateTo: bc.propagateTo, peerService: peer });
  return (input, init) => traced(input as Request | string | URL, init as RequestInit | undefined);
}

/**
 * Whether `obj` or a prototype of it defines `prop`. Service bindings, stubs and RPC property
 * stubs answer any other name with an RPC property stub (a wildcard), which is how workerd
 * itself tells its own methods (`fetch`, `then`...) from the callee's names.
 */
function defines(obj: object, prop: PropertyKey): boolean {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o)) if (Object.getOwnPropertyDescriptor(o, prop)) return true;
  return false;
}

/**
 * An RPC property stub (`env.SVC.method`, `stub.prop.nested`) behind a proxy. The stub is at once
 * callable, awaitable (`await env.SVC.version` reads a property) and a path to nested names
 * (`env.SVC.tools.hello()`), so the proxy keeps all three: a call gets a CLIENT span
 * `binding.path`, everything else reaches the real stub.
 */
function rpcProperty(bc: BindingsContext, type: 'service' | 'durable_object', name: string, path: string, stub: AnyFn): AnyFn {
  return new Proxy(stub, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== 'function') return v;
      // `then`, `catch`, `finally` check their `this`: a proxy is refused (Illegal invocation).
      if (typeof prop !== 'string' || defines(t, prop)) return (v as AnyFn).bind(t);
      return rpcProperty(bc, type, name, `${path}.${prop}`, v as AnyFn);
    },
    apply(t, self, args) {
      const attributes = { 'rpc.system': 'cloudflare_rpc', 'rpc.service': name, 'rpc.method': path };
      // A stub or service binding passed on goes as the runtime's own (see natives).
      return observedCall(bc, { type, binding: name, operation: path, name: `${name}.${path}`, attributes }, () => Reflect.apply(t, self, args.map(native)));
    },
  });
}

/**
 * A service binding or a Durable Object stub: `fetch` traced with traceparent, the binding's other
 * own members bound to it, and every other name (the callee's RPC methods and properties) an
 * {@link rpcProperty}, made per read like workerd's own property stubs.
 */
function fetcher(bc: BindingsContext, type: 'service' | 'durable_object', name: string, target: object): object {
  const p = methodProxy(
    target,
    (op, bound) => (op === 'fetch' ? tracedFetcherFetch(bc, name, bound) : undefined),
    bc,
    (t, prop, fn) => (typeof prop === 'string' && !defines(t, prop) ? rpcProperty(bc, type, name, prop, fn) : undefined),
  );
  natives.set(p, target);
  return p;
}

function durableObjectNamespace(bc: BindingsContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => {
    if (op !== 'get' && op !== 'getByName' && op !== 'jurisdiction') return undefined;
    return (...args) => {
      const r = original(...args);
      if (r === null || typeof r !== 'object') return r;
      // jurisdiction('eu') gives a namespace whose stubs are the binding's too.
      return op === 'jurisdiction' ? durableObjectNamespace(bc, name, r) : fetcher(bc, 'durable_object', name, r);
    };
  }, bc);
}

const WORKFLOW_OPS = /^(create|createBatch|get|status|pause|resume|terminate|restart|sendEvent)$/;
const idOf = (v: any): Record<string, unknown> | undefined => (typeof v?.id === 'string' ? { 'cloudflare.workflow.instance_id': v.id } : undefined);

/**
 * A Workflow binding, or (`id` given) one of its instances from create, createBatch or get: each
 * call a CLIENT span `workflow <op>` with the instance id. Params and payloads are user data,
 * never read. Instances are wrapped like the binding, the runtime's own behind `native`.
 */
function workflow(bc: BindingsContext, name: string, target: object, id?: string): object {
  const p = methodProxy(target, (op, original) => {
    if (!WORKFLOW_OPS.test(op)) return undefined;
    const wrap = (r: any): unknown => (id !== undefined || r === null || typeof r !== 'object' ? r : Array.isArray(r) ? r.map(wrap) : workflow(bc, name, r, r.id));
    return (...args) =>
      tracedCall(
        bc,
        {
          type: 'workflow',
          binding: name,
          operation: op,
          name: `workflow ${op}`,
          attributes: { 'cloudflare.workflow.name': name, ...idOf(id !== undefined ? { id } : op === 'get' ? { id: args[0] } : args[0]) },
          result: (v) => ({ attributes: idOf(v) }),
        },
        () => Promise.resolve(original(...args)).then(wrap),
      );
  }, bc);
  natives.set(p, target);
  return p;
}

/** The wrapper of each binding type detectBinding finds. */
const WRAPPERS: Partial<Record<BindingType, (bc: BindingsContext, name: string, b: object) => unknown>> = {
  kv,
  r2,
  d1: instrumentD1,
  queue,
  durable_object: durableObjectNamespace,
  service: (bc, name, b) => fetcher(bc, 'service', name, b),
  workflow,
  ai: instrumentAi,
  vectorize: instrumentVectorize,
  analytics_engine: instrumentAnalyticsEngine,
  rate_limit: instrumentRateLimit,
};

/** Wraps one binding by its detected type, or returns it unchanged. */
export function wrapBinding(bc: BindingsContext, name: string, value: unknown): unknown {
  const type = detectBinding(value);
  return type === undefined ? value : WRAPPERS[type]?.(bc, name, value as object);
}

/**
 * `env` behind a proxy that hands out instrumented bindings, each wrapped once and cached by
 * the binding object. Strings (vars, secrets) and unknown objects pass through untouched.
 */
export function instrumentEnv<E extends object>(bc: BindingsContext, env: E): E {
  const cache = new Map<PropertyKey, { raw: unknown; wrapped: unknown }>();
  return new Proxy(env, {
    get(t, prop) {
      const raw = Reflect.get(t, prop, t) as unknown;
      if (typeof prop !== 'string' || raw === null || typeof raw !== 'object') return raw;
      const hit = cache.get(prop);
      if (hit !== undefined && hit.raw === raw) return hit.wrapped;
      let wrapped: unknown = raw;
      try {
        // A read-only property that cannot be redefined (a frozen env, as a test may pass) must be
        // answered as it is: a Proxy that answers another value throws (an invariant of Proxy) in
        // the handler reading it. Such a binding stays untraced: counted, as a frozen binding's methods are.
        if (!readOnly(t, prop)) wrapped = wrapBinding(bc, prop, raw);
        else if (detectBinding(raw)) fixed(t, prop, bc);
      } catch {
        wrapped = raw;
      }
      cache.set(prop, { raw, wrapped });
      return wrapped;
    },
  });
}
