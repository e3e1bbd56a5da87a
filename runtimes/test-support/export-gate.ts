/**
 * For a test Worker (bundled into workerd): the exporter's requests wait at a gate on the Node
 * side ({@link startGateServer}) before they leave, so a test can hold every export, whatever
 * the receiver does (answers, fails, or is down), and check that a response arrived meanwhile.
 *
 * Importing this module puts a gate in front of `globalThis.fetch` at module load, before any
 * invocation (the Workers adapter replaces `globalThis.fetch` inside the first one and sends
 * the exporter's requests to the fetch it found, this one). Requests to other URLs, and every
 * request before {@link withExportGate}'s `gate` names a gate, go straight through. A request
 * held at the gate leaves unchanged once the gate opens; an abort while it waits (the export's
 * deadline) ends the wait as it would end the request.
 */

type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

interface Gate {
  /** The gate server's URL. */
  readonly url: string;
  /** Requests to URLs starting with this wait at the gate (the OTLP endpoint). */
  readonly endpoint: string;
}

const g = globalThis as { fetch: FetchLike };
const platform = g.fetch;
const send: FetchLike = (input, init) => platform.call(globalThis, input, init);
let gate: Gate | undefined;

g.fetch = function gatedFetch(input, init) {
  const url = input instanceof Request ? input.url : String(input);
  const at = gate;
  if (at === undefined || !url.startsWith(at.endpoint)) return send(input, init);
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  return send(at.url, { signal })
    .then((r) => r.arrayBuffer())
    .then(() => send(input, init));
};

/**
 * `handler` with a `fetch` that first reads, from `env`, which gate the exports wait at
 * (`undefined`: none); every other handler is passed on as it is.
 */
export function withExportGate<H extends { fetch?: (...args: any[]) => any }>(handler: H, gateOf: (env: any) => Gate | undefined): H {
  return {
    ...handler,
    fetch(request: Request, env: unknown, ctx: unknown) {
      gate = gateOf(env);
      return handler.fetch!(request, env, ctx);
    },
  } as H;
}
