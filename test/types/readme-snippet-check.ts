/**
 * Typechecks the ```ts blocks of the READMEs against the library's sources, as a user who copies
 * them would: `strict`, `@lexigram/monitor/*` resolved to `src/` through package.json "exports",
 * `hono`, `express` and `@opentelemetry/api` from node_modules. Every block is a virtual file of one
 * ts.Program (one more for Worker blocks, which get a Worker project's globals: see isWorkerBlock).
 *
 * Blocks are fragments. An identifier the compiler cannot find gets a prelude, on the block's first
 * line so diagnostics keep the README's line numbers:
 * - a name in FREE_NAMES gets that declaration (typed as narrowly as the README means it: `monitor`
 *   is a `Monitor`, never `any`, so a wrong call still fails);
 * - a name exported by the library (`createMonitor`, `SLO`, `PushgatewayBackend`) is imported from the
 *   first entry point that exports it, in package.json "exports" order, so it is the real export;
 * - anything else stays an error ("Cannot find name"): add it to FREE_NAMES or fix the README.
 * Names the DOM lib declares globally (`name`, `event`, `status`, `origin`) are found, so they get no
 * prelude: a block must not use them as free variables.
 *
 * A block is skipped when the line before it (blank lines aside) is `<!-- not-checked: why -->`.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface Snippet {
  /** README path relative to the repository, e.g. `runtimes/cloudflare-workers/README.md`. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** The opt-out reason, when the block is marked `<!-- not-checked: … -->`. */
  readonly skipped?: string;
}

export interface SnippetResult {
  readonly snippet: Snippet;
  /** `README.md:57: TS2345 Argument of type …`, with the README's own line numbers. */
  readonly errors: readonly string[];
  /** The declarations and imports given for the block's free names. */
  readonly prelude: string;
}

/**
 * A Worker block (one importing `@lexigram/monitor/cloudflare-workers` or `cloudflare:workers`) is
 * checked as a Worker project is set up: lib ES2022, the globals of @cloudflare/workers-types, no DOM
 * and no Node types. Every other block gets the DOM lib and @types/node (Node, Deno, Bun, Hono and
 * serverless code; Deno and Bun globals come from FREE_NAMES).
 */
const isWorkerBlock = (code: string): boolean => /from ['"](@lexigram\/monitor\/cloudflare-workers|cloudflare:workers)['"]/.test(code);

/**
 * Declarations for free names, each chosen to be what the README's prose says the name is. A name
 * may have several meanings: the first entry whose `when` accepts the block wins.
 */
export const FREE_NAMES: Readonly<Record<string, ReadonlyArray<{ when?: (code: string) => boolean; declare: string }>>> = {
  monitor: [{ declare: "declare const monitor: import('@lexigram/monitor').Monitor;" }],
  // Worker vars and secrets (`env.OTLP_TOKEN`, `env.HEALTH_TOKEN`) are strings.
  env: [{ declare: 'declare const env: { readonly [name: string]: string };' }],
  // "an Express (or Connect, or plain (req, res)) app" next to the Node adapter; a Hono app elsewhere.
  app: [
    { when: (code) => code.includes("'@lexigram/monitor/node'"), declare: "declare const app: import('express').Express;" },
    { declare: "declare const app: import('hono').Hono;" },
  ],
  handler: [{ declare: 'declare const handler: (request: Request) => Promise<Response>;' }],
  request: [{ declare: 'declare const request: Request;' }],
  ctx: [
    { when: isWorkerBlock, declare: 'declare const ctx: ExecutionContext;' },
    { declare: 'declare const ctx: { waitUntil(promise: Promise<unknown>): void };' },
  ],
  db: [{ declare: 'declare const db: { all(): Promise<unknown[]> };' }],
  notifier: [{ declare: "declare const notifier: import('@lexigram/monitor').Notifier;" }],
  slo: [{ declare: "declare const slo: import('@lexigram/monitor').SLO;" }],
  span: [{ declare: "declare const span: import('@lexigram/monitor').Span;" }],
  ok: [{ declare: 'declare const ok: boolean;' }],
  // The runtimes' globals as the adapters type them (runtimes/deno/src/deno-types.ts, runtimes/bun/src/bun-types.ts).
  Deno: [{ declare: "declare const Deno: import('../runtimes/deno/src/deno-types.js').DenoGlobal;" }],
  Bun: [{ declare: "declare const Bun: import('../runtimes/bun/src/bun-types.js').BunGlobal;" }],
};

const NOT_CHECKED = /^<!--\s*not-checked:\s*(.*?)\s*-->$/;
// "Cannot find name 'x'" (2304, 2552, and 2580-2868 with "Do you need to install type definitions")
// and "No value exists in scope for the shorthand property 'x'" (18004).
const isFreeName = (d: ts.Diagnostic): boolean =>
  d.code === 18004 || ts.flattenDiagnosticMessageText(d.messageText, '\n').startsWith('Cannot find name ');

/** The README files whose blocks are checked: README.md and runtimes/<name>/README.md. */
export function readmeFiles(root: string): string[] {
  const runtimes = readdirSync(join(root, 'runtimes')).map((name) => join('runtimes', name, 'README.md'));
  return ['README.md', ...runtimes.filter((file) => existsSync(join(root, file))).sort()];
}

/** Every fenced block of a Markdown text whose info string starts with `ts` or `typescript`. */
export function extractSnippets(file: string, markdown: string): { snippets: Snippet[]; otherBlocks: number } {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  let otherBlocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trim().startsWith(fence)) end++;
    const lang = open[3]!.toLowerCase();
    if (lang === 'ts' || lang === 'typescript') {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const marker = before >= 0 ? NOT_CHECKED.exec(lines[before]!.trim()) : null;
      const code = lines.slice(i + 1, end).join('\n');
      snippets.push(marker ? { file, line: i + 1, code, skipped: marker[1] || 'no reason given' } : { file, line: i + 1, code });
    } else {
      otherBlocks++;
    }
    i = end;
  }
  return { snippets, otherBlocks };
}

/** `@lexigram/monitor/<subpath>` → its source file, from package.json "exports" (dist/X.d.ts → X.ts). */
function entryPoints(root: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types?: string }> };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'object' ? target.types : undefined;
    if (!types) continue;
    entries.set(join(pkg.name, subpath), join(root, types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')));
  }
  return entries;
}

const DOM_LIB = ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.disposable.d.ts'];

/** Typechecks every snippet that is not skipped; one result per snippet, in order. */
export function checkSnippets(root: string, snippets: readonly Snippet[]): SnippetResult[] {
  const entries = entryPoints(root);
  const base: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    paths: Object.fromEntries([...entries].map(([name, file]) => [name, [file]])),
  };
  const workersTypes = existsSync(join(root, 'node_modules/@cloudflare/workers-types/index.d.ts'));
  // Without @cloudflare/workers-types, the repo's own declarations of `cloudflare:workers` and Workflows.
  const fixtures = ['cloudflare-workers.d.ts', 'cloudflare-workflows.d.ts'].map((f) => join(root, 'runtimes/cloudflare-workers/test/fixtures', f));
  const worker = workersTypes
    ? { options: { ...base, lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], types: ['@cloudflare/workers-types'] }, ambient: [] }
    : { options: { ...base, lib: DOM_LIB, types: [] }, ambient: fixtures.filter((f) => existsSync(f)) };
  const other = { options: { ...base, lib: DOM_LIB, types: ['node'] }, ambient: [] };

  // Virtual files live in a folder of the repository, so node_modules resolves as for a real file.
  const dir = join(root, '.readme-snippets');
  const checked = snippets.map((snippet, index) => ({ snippet, path: join(dir, `${snippet.file.replace(/\W/g, '_')}_${snippet.line}_${index}.ts`) }));
  const results = new Map<string, { errors: string[]; prelude: string }>();
  for (const [project, group] of [
    [worker, checked.filter((c) => !c.snippet.skipped && isWorkerBlock(c.snippet.code))],
    [other, checked.filter((c) => !c.snippet.skipped && !isWorkerBlock(c.snippet.code))],
  ] as const) {
    if (group.length > 0) for (const [path, result] of checkGroup(group, project.options, [...project.ambient, ...entries.values()], entries)) results.set(path, result);
  }
  return checked.map(({ snippet, path }) => ({ snippet, errors: results.get(path)?.errors ?? [], prelude: results.get(path)?.prelude ?? '' }));
}

/** One program per project, built twice: bare, to find each block's free names, then with preludes. */
function checkGroup(
  group: ReadonlyArray<{ snippet: Snippet; path: string }>,
  options: ts.CompilerOptions,
  roots: readonly string[],
  entries: ReadonlyMap<string, string>,
): Map<string, { errors: string[]; prelude: string }> {
  const build = (texts: Map<string, string>, oldProgram?: ts.Program): ts.Program => {
    const host = ts.createCompilerHost(options, true);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, lang, ...rest) => {
      const text = texts.get(name);
      return text === undefined ? getSourceFile.call(host, name, lang, ...rest) : ts.createSourceFile(name, text, lang, true);
    };
    host.fileExists = (name) => texts.has(name) || fileExists.call(host, name);
    host.readFile = (name) => texts.get(name) ?? readFile.call(host, name);
    return ts.createProgram({ rootNames: [...roots, ...texts.keys()], options, host, oldProgram });
  };

  // `export {}` keeps each block a module of its own (and allows top-level await).
  const first = build(new Map(group.map((c) => [c.path, `export {};\n${c.snippet.code}`])));
  const exported = libraryExports(first, entries);
  const preludes = new Map<string, string>();
  for (const c of group) {
    const free = new Set<string>();
    for (const d of first.getSemanticDiagnostics(first.getSourceFile(c.path))) {
      if (isFreeName(d) && d.file && d.start !== undefined) free.add(d.file.text.slice(d.start, d.start + (d.length ?? 0)));
    }
    preludes.set(c.path, prelude([...free].sort(), c.snippet.code, exported));
  }

  const program = build(new Map(group.map((c) => [c.path, `export {}; ${preludes.get(c.path)}\n${c.snippet.code}`])), first);
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  const results = new Map<string, { errors: string[]; prelude: string }>();
  for (const c of group) {
    const sf = program.getSourceFile(c.path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    results.set(c.path, { errors: [...global, ...diagnostics.map((d) => format(d, c.snippet))], prelude: preludes.get(c.path)! });
  }
  return results;
}

function prelude(free: readonly string[], code: string, exported: ReadonlyMap<string, string>): string {
  const parts: string[] = [];
  for (const name of free) {
    const entry = FREE_NAMES[name]?.find((e) => !e.when || e.when(code));
    if (entry) parts.push(entry.declare);
    else if (exported.has(name)) parts.push(`import { ${name} } from '${exported.get(name)}';`);
  }
  return parts.join(' ');
}

/** Exported name → the first entry point (package.json order) that exports it. */
function libraryExports(program: ts.Program, entries: ReadonlyMap<string, string>): Map<string, string> {
  const checker = program.getTypeChecker();
  const names = new Map<string, string>();
  for (const [specifier, file] of entries) {
    const sf = program.getSourceFile(file) ?? undefined;
    const symbol = sf && checker.getSymbolAtLocation(sf);
    if (!symbol) continue;
    for (const exp of checker.getExportsOfModule(symbol)) if (!names.has(exp.name)) names.set(exp.name, specifier);
  }
  return names;
}

function format(d: ts.Diagnostic, s: Snippet): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (!d.file || d.start === undefined) return `${s.file}:${s.line}: TS${d.code} ${text}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  // Line 0 is the prelude (reported at the fence), line 1 the block's first line.
  return `${s.file}:${s.line + line}:${character + 1}: TS${d.code} ${text}`;
}
