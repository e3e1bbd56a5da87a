import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// Compiled for ES2017 or older (tsc's __asyncGenerator, esbuild's), an async generator is a plain
// function returning an async iterator: its call ended before iteration began, the span empty.
const SOURCE = `
  export const define = (traced, metered, step) => {
    class Feed {
      @traced() @metered() async *pages(n) {
        for (let i = 0; i < n; i++) { await new Promise((r) => setTimeout(r, 1)); step(); yield i; }
      }
    }
    const rows = traced('rows', async function* () { step(); yield 1; });
    return { Feed, rows };
  };
`;

afterEach(() => setDefaultMonitor(undefined));

describe.each([['standard', false], ['legacy', true]] as const)('an async generator compiled for ES2017, %s decorators', (_, experimentalDecorators) => {
  it('the call lasts the iteration, whose steps are its children', async () => {
    const out = ts.transpileModule(SOURCE, { compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, experimentalDecorators } }).outputText;
    expect(out).toContain('__asyncGenerator');
    const file = join(mkdtempSync(join(tmpdir(), 'lexigram-es2017-')), 'feed.mjs');
    writeFileSync(file, out);
    const { define } = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
      define: (...a: unknown[]) => { Feed: new () => { pages(n: number): AsyncIterable<number> }; rows: () => AsyncIterable<number> };
    };
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const { Feed, rows } = define(traced, metered, () => monitor.tracer.startSpan('step').end());
    const calls = () => (monitor.metrics.collect().metrics.find((m) => m.name === 'feed_pages_calls_total') as CounterMetric | undefined)?.points[0]?.value;
    const pages = new Feed().pages(2);
    expect(calls()).toBeUndefined();
    const seen: number[] = [];
    for await (const p of pages) seen.push(p);
    for await (const r of rows()) seen.push(r);
    expect(seen).toEqual([0, 1, 1]);
    expect(calls()).toBe(1);
    await monitor.flush();
    const feed = memory.findSpan('Feed.pages')!;
    const steps = memory.spans.filter((s) => s.name === 'step');
    expect(steps.map((s) => s.parentSpanId)).toEqual([feed.spanId, feed.spanId, memory.findSpan('rows')!.spanId]);
  });
});

describe('an async iterator that is no generator', () => {
  it('a cursor (its methods on its prototype, as MongoDB’s FindCursor) is returned as it is, the call ended', async () => {
    const { monitor, memory } = createTestMonitor();
    class Cursor {
      #docs = [1, 2];
      async next(): Promise<number | null> {
        return this.#docs.shift() ?? null;
      }
      async toArray(): Promise<number[]> {
        return this.#docs.splice(0);
      }
      [Symbol.asyncIterator](): AsyncIterator<number> {
        return { next: async () => ({ done: this.#docs.length === 0, value: this.#docs.shift()! }) };
      }
    }
    const cursor = new Cursor();
    const find = traced('find', () => cursor, { monitor });
    expect(find()).toBe(cursor);
    expect(await cursor.toArray()).toEqual([1, 2]);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['find']);
  });
});
