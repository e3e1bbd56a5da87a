/** The few parts of Bun's API used here (no dependency on bun-types). */
export interface BunServerLike {
  readonly port?: number;
  readonly hostname?: string;
  readonly url?: URL;
  requestIP?(request: Request): { address: string; port: number } | null;
  upgrade?(request: Request, options?: unknown): boolean;
  stop(closeActiveConnections?: boolean): unknown;
}

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
