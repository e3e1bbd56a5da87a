import { isNodeStyleCall } from '../../../src/adapter/node-style.js';

/** Which kind of function a call is, from its arguments (or forced with `kind`). */
export type FunctionKind = 'lambda' | 'vercel' | 'netlify' | 'fetch' | 'node';

export interface LambdaContextLike {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  readonly functionVersion?: string;
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

type WaitUntil = (promise: Promise<unknown>) => void;

export function isLambdaContext(v: unknown): v is LambdaContextLike {
  return typeof v === 'object' && v !== null && (typeof (v as LambdaContextLike).awsRequestId === 'string' || typeof (v as LambdaContextLike).getRemainingTimeInMillis === 'function');
}

/** Vercel's `waitUntil`, found through its request context without importing `@vercel/functions` (VL-01). */
export function vercelWaitUntil(): WaitUntil | undefined {
  const ctx = vercelContext();
  return ctx && ctx.waitUntil.bind(ctx);
}

/**
 * The current request's context of Vercel's runtime (what `@vercel/functions` reads its
 * `waitUntil` from, `globalThis[Symbol.for('@vercel/request-context')].get()`), when it has a
 * `waitUntil`.
 */
export function vercelContext(): { waitUntil: WaitUntil } | undefined {
  try {
    const store = (globalThis as unknown as Record<symbol, { get?: () => { waitUntil?: WaitUntil } | undefined } | undefined>)[Symbol.for('@vercel/request-context')];
    const ctx = store?.get?.();
    return typeof ctx?.waitUntil === 'function' ? (ctx as { waitUntil: WaitUntil }) : undefined;
  } catch {
    return undefined;
  }
}

/** `context.waitUntil` of Netlify (and of other Web handlers that pass one). */
export function contextWaitUntil(context: unknown): WaitUntil | undefined {
  const fn = (context as { waitUntil?: unknown } | null | undefined)?.waitUntil;
  return typeof fn === 'function' ? (fn as WaitUntil).bind(context) : undefined;
}

export function detectKind(args: readonly unknown[]): FunctionKind {
  const [first, second] = args;
  if (first instanceof Request) {
    if (contextWaitUntil(second)) return 'netlify';
    if (vercelContext()) return 'vercel';
    return 'fetch';
  }
  if (isLambdaContext(second)) return 'lambda';
  // A response-streaming handler (awslambda.streamifyResponse): (event, responseStream, context).
  if (isLambdaContext(args[2])) return 'lambda';
  if (isNodeStyleCall(args)) return 'node';
  return 'lambda';
}
