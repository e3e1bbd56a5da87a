/**
 * The `trustProxy` option of the Node adapter; the parsing and the hop logic are shared with the
 * Deno and Bun adapters (src/http/trust-proxy.ts). Here a Node request's headers are read.
 */
import { trustProxyOption as sharedOption, type ForwardedRequest } from '../../../src/http/trust-proxy.js';

export type { ForwardedRequest, TrustProxy } from '../../../src/http/trust-proxy.js';

type NodeHeaders = Record<string, string | string[] | undefined>;

/** Reads a Node request's forwarding headers; undefined when no trusted proxy said anything. */
export type ReadForwarded = (headers: NodeHeaders, peer: string | undefined) => ForwardedRequest | undefined;

/**
 * Checks a `trustProxy` option (throwing, at construction, with what to change) and returns its
 * reader of a Node request's headers, or undefined when it is off. `onError` hears of a trust
 * function that threw (that hop is then not trusted: the request is not failed by it).
 */
export function trustProxyOption(what: string, value: unknown, onError?: (error: unknown) => void): ReadForwarded | undefined {
  const read = sharedOption(what, value, onError);
  return read === undefined ? undefined : (h, peer) => read((name) => h[name], peer);
}
