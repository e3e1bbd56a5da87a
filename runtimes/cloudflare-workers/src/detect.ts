import type { BindingType } from './binding-span.js';

/**
 * Names of the methods an object defines on itself or its prototypes (not Object.prototype).
 * Reading names, not properties, matters: service bindings and Durable Object stubs answer
 * every property with an RPC function, so `typeof binding.get === 'function'` proves nothing.
 */
function ownMethodNames(obj: object): Set<string> {
  const names = new Set<string>();
  let o: object | null = obj;
  for (let depth = 0; o !== null && o !== Object.prototype && depth < 8; depth++) {
    for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    o = Object.getPrototypeOf(o);
  }
  return names;
}

function hasAll(names: Set<string>, wanted: readonly string[]): boolean {
  for (const w of wanted) if (!names.has(w)) return false;
  return true;
}

/** Which binding `value` is, by duck typing on its method names; undefined for anything else. */
export function detectBinding(value: unknown): BindingType | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  let names: Set<string>;
  try {
    names = ownMethodNames(value);
  } catch {
    return undefined;
  }
  if (hasAll(names, ['fetch', 'connect']) || Object.prototype.toString.call(value) === '[object Fetcher]') return 'service';
  if (hasAll(names, ['idFromName', 'get', 'newUniqueId'])) return 'durable_object';
  if (hasAll(names, ['prepare', 'batch', 'exec'])) return 'd1';
  if (hasAll(names, ['get', 'put', 'head', 'delete', 'list'])) return 'r2';
  if (hasAll(names, ['get', 'put', 'delete', 'list', 'getWithMetadata'])) return 'kv';
  if (hasAll(names, ['send', 'sendBatch'])) return 'queue';
  // workerd's WorkflowImpl (a JS class over its engine's fetcher): get, create, createBatch; no other binding creates.
  if (hasAll(names, ['create', 'createBatch'])) return 'workflow';
  // workerd's Ai (a JS class over its fetcher): run, models and gateway.
  if (hasAll(names, ['run', 'models', 'gateway'])) return 'ai';
  // workerd's VectorizeIndexImpl, likewise.
  if (hasAll(names, ['query', 'upsert', 'getByIds', 'deleteByIds'])) return 'vectorize';
  // Last: each the binding's one method, and a function, as a JSON var may hold either name too.
  const method = (n: string): boolean => names.has(n) && typeof (value as Record<string, unknown>)[n] === 'function';
  if (method('writeDataPoint')) return 'analytics_engine';
  if (method('limit')) return 'rate_limit';
  return undefined;
}
