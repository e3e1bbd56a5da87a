/**
 * The server runtime the core runs on, for the resource, read once per monitor through
 * `globalThis` (the core imports nothing from Node): Node, Deno and Bun are server-side
 * JavaScript, `telemetry.sdk.language` `nodejs` as the OpenTelemetry JS SDK reports on all three,
 * told apart by `process.runtime.name` and `process.runtime.version` (Deno's built-in
 * OpenTelemetry: `deno` and its version). Elsewhere (workerd's `Cloudflare-Workers`, a browser)
 * nothing, and the core's `webjs` stays.
 */
import type { Attributes } from './model/attributes.js';

/** `process.runtime.name` by the product in `navigator.userAgent`: `Node.js/22` (Node ≥ 21), `Deno/2.9.6`, `Bun/1.4.5`. */
const NAMES: Record<string, string> = { 'Node.js': 'nodejs', Deno: 'deno', Bun: 'bun' };

export function runtimeAttributes(): Attributes {
  const g = globalThis as { navigator?: { userAgent?: string }; process?: { versions?: { node?: string } }; WebSocketPair?: unknown };
  try {
    // Node 20 has no navigator (nor has a later Node under --no-experimental-global-navigator).
    // Nor has workerd under its no_global_navigator flag, whose nodejs_compat process names a
    // Node version too: its own WebSocketPair, which Node lacks, tells it apart.
    const [product = '', version] = (g.navigator?.userAgent ?? (g.WebSocketPair === undefined ? 'Node.js' : '')).split('/');
    const name = NAMES[product];
    // Node's full version: its user agent has the major only (Deno and Bun have a process.versions.node too, the Node they mimic).
    const v = name === 'nodejs' ? g.process?.versions?.node : version;
    return name && v ? { 'telemetry.sdk.language': 'nodejs', 'process.runtime.name': name, 'process.runtime.version': v } : {};
  } catch {
    // a navigator or process whose getter throws: no runtime attributes
    return {};
  }
}
