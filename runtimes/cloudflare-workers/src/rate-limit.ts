import { dbCall, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';

/**
 * Rate limiting: each `limit` a CLIENT span `limit {binding}` with its outcome
 * (`cloudflare.rate_limit.success`); never the key (often a user id or an IP). A rate limiter is
 * not a database: no `db.*` attributes, so no `db.client.operation.duration` either. The call's
 * spec is made once per binding (`dbCall`), as for the database-like bindings.
 */
export function instrumentRateLimit(bc: BindingContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) =>
    op === 'limit'
      ? dbCall(
          bc,
          {
            type: 'rate_limit',
            binding: name,
            operation: op,
            name: `limit ${name}`,
            attributes: { 'cloudflare.rate_limit.name': name },
            result: (v: any) => (typeof v?.success === 'boolean' ? { attributes: { 'cloudflare.rate_limit.success': v.success } } : undefined),
          },
          original,
        )
      : undefined,
    bc,
  );
}
