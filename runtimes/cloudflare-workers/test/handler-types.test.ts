/**
 * The handlers' parameters as a Worker project with @cloudflare/workers-types types them (strict,
 * `skipLibCheck: false`, no DOM): with `instrument({...}) satisfies ExportedHandler<Env>` they are
 * workers-types' own (`controller.noRetry()`, `message.forward()`, a tail event's `logs`, `env: Env`,
 * a queue's typed body), so valid Workers code compiles and a misspelt binding does not. Without
 * the `satisfies`, the library's own types (test/handler-types-fixture.ts, compiled by
 * `npm run typecheck` without workers-types) are wide enough for the same calls. A
 * `// @ts-expect-error` line that is not an error fails too. Only the cases' own diagnostics are
 * read: the library's sources are compiled here against workers-types' globals, not the DOM.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const workersTypes = existsSync(join(root, 'node_modules/@cloudflare/workers-types/index.d.ts'));

const SOURCE = `
import { instrument } from '@lexigram/monitor/cloudflare-workers';
interface Env { KV: KVNamespace; Q: Queue<{ id: number }> }

// The README's form: every call below is valid Workers code.
export const events = instrument({
  async scheduled(controller, env, ctx) { controller.noRetry(); await env.KV.get(controller.cron); ctx.waitUntil(Promise.resolve()); },
  async email(message, env) {
    const subject = message.headers.get('subject');
    if (!subject) { message.setReject('no subject'); return; }
    await message.forward('team@example.com');
    await env.Q.send({ id: message.rawSize });
  },
  async tail(events) { for (const e of events) console.log(e.event, e.logs.length, e.exceptions.length); },
  async queue(batch, env) { for (const m of batch.messages) { m.retry({ delaySeconds: m.body.id }); } await env.KV.get(batch.queue); },
  async fetch(request, env, ctx, { monitor }) {
    monitor.logger.info('hit');
    ctx.passThroughOnException();
    return new Response(String(request.cf?.country) + (await env.KV.get('k')));
  },
  other: 42,
}, (env: Env) => ({ serviceName: 'api' })) satisfies ExportedHandler<Env, { id: number }>;
events.other.toFixed();

// env is Env, not any: a misspelt binding is refused, as in a plain ExportedHandler.
export const misspelt = instrument({
  // @ts-expect-error KVV is not a binding of Env
  async fetch(request, env) { await env.KVV.get('x'); return new Response('x'); },
}, { serviceName: 'api' }) satisfies ExportedHandler<Env>;

// The env a (env) => options config declares types the handlers too.
export const fromConfig = instrument({
  // @ts-expect-error KVV is not a binding of Env
  async fetch(request, env) { await env.KVV.get('x'); return new Response('x'); },
}, (env: Env) => ({ serviceName: 'api' }));

// An explicit handler type, the first type argument, is taken as it is.
export const explicit = instrument<{ scheduled(controller: ScheduledController, env: Env): Promise<void> }>({
  async scheduled(controller, env) { controller.noRetry(); await env.KV.get('x'); },
});

// The satisfies still checks the handlers: a wrong env, a narrower one, a wrong result.
// @ts-expect-error an env unrelated to Env
export const wrongEnv = instrument({ async fetch(request, env: { NOPE: string }) { return new Response(env.NOPE); } }) satisfies ExportedHandler<Env>;
// @ts-expect-error an env with a binding Env lacks
export const narrowerEnv = instrument({ async fetch(request, env: Env & { EXTRA: string }) { return new Response(env.EXTRA); } }) satisfies ExportedHandler<Env>;
// @ts-expect-error fetch returning a string
export const wrongResult = instrument({ async fetch() { return 'x'; } }) satisfies ExportedHandler<Env>;

// One handler only, and the satisfies on the exported value rather than on the call.
export const queueOnly = instrument({ async queue(batch) { batch.ackAll(); } }) satisfies ExportedHandler<Env>;
const worker = instrument({ async fetch(request: Request, env: Env) { return new Response(await env.KV.get('k')); } }, { serviceName: 'w' });
export default worker satisfies ExportedHandler<Env>;
`;

function typeErrors(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-handler-types-'));
  const file = join(dir, 'worker.ts');
  writeFileSync(file, SOURCE);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['@cloudflare/workers-types'],
    typeRoots: [join(root, 'node_modules/@types'), join(root, 'node_modules')],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    paths: { '@lexigram/monitor/cloudflare-workers': [join(root, 'runtimes/cloudflare-workers/index.ts')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe.skipIf(!workersTypes)('instrument() typed as a Worker project with @cloudflare/workers-types types it', () => {
  it('types the handlers\' parameters as workers-types does, env included, and still checks them against ExportedHandler', () => {
    expect(typeErrors()).toEqual([]);
  }, 60_000);
});
