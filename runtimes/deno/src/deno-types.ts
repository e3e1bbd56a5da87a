/** The few parts of Deno's API used here, typed loosely so Deno's own types are assignable. */
export interface DenoServeInfo {
  readonly remoteAddr?: { readonly hostname?: string; readonly port?: number; readonly transport?: string };
}

export interface DenoHttpServer {
  readonly finished: Promise<void>;
  readonly addr?: { readonly hostname?: string; readonly port?: number };
  shutdown(): Promise<void>;
}

export type DenoSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

export interface DenoGlobal {
  serve(options: Record<string, unknown>, handler: (request: Request, info: DenoServeInfo) => Response | Promise<Response>): DenoHttpServer;
  env: { toObject(): Record<string, string>; get(name: string): string | undefined };
  addSignalListener(signal: DenoSignal, handler: () => void): void;
  removeSignalListener(signal: DenoSignal, handler: () => void): void;
  exit(code?: number): never;
}

export function denoGlobal(): DenoGlobal {
  const deno = (globalThis as unknown as { Deno?: DenoGlobal }).Deno;
  if (!deno) throw new Error('@lexigram/monitor/deno needs the Deno runtime (globalThis.Deno is missing); on Node use @lexigram/monitor/node.');
  return deno;
}

/** `Deno.env.toObject()`, or {} without `--allow-env`. */
export function denoEnv(): Record<string, string> {
  try {
    return denoGlobal().env.toObject();
  } catch {
    return {};
  }
}
