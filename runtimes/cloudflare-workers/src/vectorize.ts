import { dbCall, dbSpec, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';

const OPS = new Set(['query', 'queryById', 'insert', 'upsert', 'getByIds', 'deleteByIds', 'describe']);

/** A query's matches, as `db.response.returned_rows`; other results add nothing. */
function returned(v: unknown): { attributes: Record<string, unknown> } | undefined {
  const n = (v as { matches?: unknown[] } | null)?.matches?.length;
  return typeof n === 'number' ? { attributes: { 'db.response.returned_rows': n } } : undefined;
}

/**
 * Vectorize: each call a CLIENT span `{operation} {binding}` with `db.system.name=cloudflare.vectorize`,
 * timed in `db.client.operation.duration`; a query's span has the matches it returned
 * (`db.response.returned_rows`). Vectors, ids and metadata are never recorded.
 */
export function instrumentVectorize(bc: BindingContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) => (OPS.has(op) ? dbCall(bc, { ...dbSpec('vectorize', 'cloudflare.vectorize', name, op), result: returned }, original) : undefined), bc);
}
