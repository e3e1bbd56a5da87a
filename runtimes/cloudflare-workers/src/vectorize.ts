import { tracedCall, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';

const OPS = new Set(['query', 'queryById', 'insert', 'upsert', 'getByIds', 'deleteByIds', 'describe']);

/**
 * Vectorize: each call a CLIENT span `{operation} {binding}` with `db.system.name=cloudflare.vectorize`,
 * timed in `db.client.operation.duration`; a query's span has the matches it returned
 * (`db.response.returned_rows`). Vectors, ids and metadata are never recorded.
 */
export function instrumentVectorize(bc: BindingContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) =>
    OPS.has(op)
      ? (...args) =>
          tracedCall(
            bc,
            {
              type: 'vectorize',
              binding: name,
              operation: op,
              name: `${op} ${name}`,
              attributes: { 'db.system.name': 'cloudflare.vectorize', 'db.namespace': name, 'db.operation.name': op },
              result: (v) => {
                const n = (v as { matches?: unknown[] } | null)?.matches?.length;
                return typeof n === 'number' ? { attributes: { 'db.response.returned_rows': n } } : undefined;
              },
            },
            () => original(...args),
          )
      : undefined,
  );
}
