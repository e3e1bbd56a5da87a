/**
 * Every ```ts block of README.md and runtimes/<name>/README.md typechecks against the library
 * (strict), so what a user copies compiles. How blocks become files: readme-snippet-check.ts.
 * A block that is not meant to compile is marked in the README: `<!-- not-checked: why -->` on the
 * line before its fence.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets, readmeFiles, type Snippet, type SnippetResult } from './readme-snippet-check.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Blocks that fail today because the README is wrong, keyed by file and the block's first line,
 * each with the reason. Empty it as the README is corrected: an entry whose block now passes, or
 * that matches no block, fails this test.
 */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const keyOf = (s: Snippet): string => `${s.file}: ${s.code.split('\n').find((l) => l.trim() !== '')?.trim() ?? ''}`;

const WORKERS = "import { instrument } from '@lexigram/monitor/cloudflare-workers';";

/** Blocks the check must reject (a prelude that made them pass would hide README drift) or accept. */
const SELF_TEST: ReadonlyArray<{ code: string; fails: boolean }> = [
  { code: "createMonitor({ serviceNme: 'api' });", fails: true },
  { code: "monitor.metrics.createCounter('orders_total', 'Orders', { labelNames: 'status' });", fails: true },
  { code: "import { createMonitr } from '@lexigram/monitor';", fails: true },
  { code: "import { serve } from '@lexigram/monitor/deno';\nserve((req) => req.url);", fails: true },
  { code: 'undeclaredHelper(monitor);', fails: true },
  { code: "const { monitor, memory } = createTestMonitor();\nmonitor.logger.info('x'); memory.reset();", fails: false },
  { code: "Deno.env.get('OTEL_SERVICE_NAME'); Bun.env?.['OTEL_SERVICE_NAME'];", fails: false },
  // Worker blocks: @cloudflare/workers-types' globals, no DOM.
  { code: `${WORKERS}\nexport default instrument({ async fetch(req, env, ctx, { monitor }) { monitor.logger.inf('x'); return new Response('ok'); } });`, fails: true },
  { code: `${WORKERS}\ndocument.title = 'x';`, fails: true },
  { code: `${WORKERS}\ninterface Env { KV: KVNamespace }\nexport default instrument({ async fetch(req, env: Env) { await env.KV.get('k'); return new Response('ok'); } }) satisfies ExportedHandler<Env>;`, fails: false },
];

describe('README TypeScript blocks', () => {
  const snippets: Snippet[] = [];
  let otherBlocks = 0;
  for (const file of readmeFiles(root)) {
    const found = extractSnippets(file, readFileSync(join(root, file), 'utf8'));
    snippets.push(...found.snippets);
    otherBlocks += found.otherBlocks;
  }
  const selfTest: Snippet[] = SELF_TEST.map(({ code }, i) => ({ file: 'self-test', line: i * 100, code }));
  // One program for the READMEs and the self-test.
  let results: SnippetResult[] = [];
  beforeAll(() => {
    results = checkSnippets(root, [...snippets, ...selfTest]);
  }, 120_000);

  it('finds the blocks and honours the not-checked marker', () => {
    expect(snippets.filter((s) => !s.skipped).length).toBeGreaterThan(10);
    const md = ['<!-- not-checked: shell output -->', '', '```ts', '$ npm start', '```', '```sh', 'ls', '```', '```typescript', 'const a = 1;', '```'].join('\n');
    const { snippets: found, otherBlocks: other } = extractSnippets('x.md', md);
    expect(found).toEqual([
      { file: 'x.md', line: 3, code: '$ npm start', skipped: 'shell output' },
      { file: 'x.md', line: 9, code: 'const a = 1;' },
    ]);
    expect(other).toBe(1);
  });

  it('rejects wrong calls rather than declaring them away', () => {
    const own = results.filter((r) => r.snippet.file === 'self-test');
    expect(own.map((r) => ({ code: r.snippet.code, fails: r.errors.length > 0 }))).toEqual(SELF_TEST);
  });

  it('typecheck under strict against the sources', () => {
    const failures: string[] = [];
    const stale: string[] = [];
    const seen = new Set<string>();
    for (const { snippet, errors, prelude } of results) {
      if (snippet.skipped || snippet.file === 'self-test') continue;
      const key = keyOf(snippet);
      seen.add(key);
      if (key in KNOWN_FAILURES) {
        if (errors.length === 0) stale.push(`${key} (block at ${snippet.file}:${snippet.line}) passes now: remove it from KNOWN_FAILURES`);
      } else if (errors.length > 0) {
        failures.push(`${snippet.file}:${snippet.line}: block fails to typecheck\n    ${errors.join('\n    ')}${prelude ? `\n    (prelude: ${prelude})` : ''}`);
      }
    }
    for (const key of Object.keys(KNOWN_FAILURES)) if (!seen.has(key)) stale.push(`${key} matches no README block: remove it from KNOWN_FAILURES`);
    const skipped = snippets.filter((s) => s.skipped).length;
    console.info(`README blocks: ${snippets.length - skipped} TypeScript checked, ${skipped} marked not-checked, ${otherBlocks} other skipped`);
    expect([...failures, ...stale].join('\n\n')).toBe('');
  });
});
