/**
 * @module
 * Serverless functions: `wrapFunction(fn, config)` for AWS Lambda handlers, Vercel and Netlify
 * functions and plain `(request) => Response` functions. No Node imports: it runs in edge
 * functions too.
 *
 * @example
 * ```ts
 * import { wrapFunction } from '@lexigram/monitor/serverless';
 * export const handler = wrapFunction(async (event, context) => ({ statusCode: 200, body: 'ok' }), { serviceName: 'orders' });
 * ```
 */
export { wrapFunction, type WrapFunctionOptions } from './src/wrap-function.js';
export { traceRecord } from './src/trace-record.js';
export { detectKind, vercelWaitUntil, type FunctionKind, type LambdaContextLike } from './src/detect.js';
export type { MonitorConfig } from '../../src/adapter/monitor-from-config.js';
export type { RequestTelemetry } from '../../src/http/handle-request.js';
