import { errorOption } from '../../../src/adapter/error-option.js';
import type { BunRescue } from './request.js';

/**
 * `serve()`'s handling of Bun's `error` option (see src/adapter/error-option.ts): the
 * instrumented handlers call it themselves (`rescue`), inside the request's telemetry, with the
 * server as `this` as Bun does; the `error` handed to Bun does not offer an error a second time.
 */
export function bunErrorOption(option: unknown): { rescue?: BunRescue; error?: unknown } {
  if (typeof option !== 'function') return option === undefined ? {} : { error: option };
  const { rescue, runtimeOption } = errorOption(option as (this: unknown, error: unknown) => unknown);
  return { rescue: (err, server, t) => rescue(err, t.span, server), error: runtimeOption };
}
