/** The few parts of Bun's API used here (no dependency on bun-types). */
export interface BunServerLike {
  readonly port?: number;
  readonly hostname?: string;
  readonly url?: URL;
  requestIP?(request: Request): { address: string; port: number } | null;
  upgrade?(request: Request, options?: unknown): boolean;
  stop(closeActiveConnections?: boolean): unknown;
}

/**
 * Bun's own types where the app has them (`@types/bun` declares the global `Bun`), else the
 * shapes above: handlers then type-check as they do with plain `Bun.serve` (`this.upgrade(req)`,
 * `server.publish()`, an `error(err)` or `websocket` handler's parameters), and without
 * `@types/bun` nothing is asked of the app. Read through `typeof globalThis`, which names no type
 * that may be missing.
 */
type BunNamespace = typeof globalThis extends { Bun: infer B } ? B : undefined;
declare const bunServe: BunNamespace extends { serve: infer F } ? F : <D, R extends string>(options: BunServeOptions) => BunServerLike;
/**
 * `Bun.serve` as a call takes it: WebSocket data of type `D` (`undefined`, Bun's default, when
 * `websocket.data` names none), any route pattern. Generic as Bun's own `serve` is: data fixed
 * to `undefined` refused `server.upgrade(req, { data })` and `websocket.data` of any other type.
 */
type ServeOf<D> = typeof bunServe<D, string>;

/** The server Bun passes to handlers and `serve()` returns: Bun's `Server<D>` with `@types/bun`, else BunServerLike. */
export type BunServer<D = undefined> = ReturnType<ServeOf<D>>;

/** Bun's options for `Bun.serve` without `fetch` and `routes`, which `serve()` takes typed its own way. */
export type BunServerOptions<D = undefined> = Parameters<ServeOf<D>>[0] extends infer O ? (O extends unknown ? Omit<O, 'fetch' | 'routes'> : never) : never;

export interface BunServeOptions {
  fetch(request: Request, server: BunServerLike): Response | Promise<Response> | undefined | Promise<Response | undefined>;
  port?: number | string;
  hostname?: string;
  [option: string]: unknown;
}

export interface BunGlobal {
  serve(options: BunServeOptions): BunServerLike;
  readonly env?: Record<string, string | undefined>;
}

export function bunGlobal(): BunGlobal {
  const bun = (globalThis as unknown as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new Error('@lexigram/monitor/bun needs the Bun runtime (globalThis.Bun is missing); on Node use @lexigram/monitor/node.');
  return bun;
}
