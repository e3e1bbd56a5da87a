/**
 * What a logger call accepts, as an app compiles it (strict, no Node types): attributes of an
 * `interface` type or a class instance (no index signature), and a caught `unknown` at warn, error
 * and fatal, which the logger handles at run time whatever it is. A `// @ts-expect-error` line
 * that is not an error fails too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { appCompilerOptions, diagnosticText } from '../helpers/app-compiler.js';
import { describe, expect, it } from 'vitest';

const index = JSON.stringify(fileURLToPath(new URL('../../src/index.js', import.meta.url)));

const source = `
  import type { Monitor } from ${index};
  declare const monitor: Monitor;
  interface OrderCtx { orderId: string; amount: number }
  function handle(ctx: OrderCtx): void {
    monitor.logger.info('order received', ctx);
    const log = monitor.logger.child(ctx);
    log.debug('ok', ctx);
  }
  class Job { id = 'j1'; attempts = 2; }
  monitor.logger.trace('job', new Job());
  class ValidationError extends Error { field = 'email'; }
  monitor.logger.warn('invalid', new ValidationError('bad'));
  monitor.logger.info('headers', new Headers());
  monitor.logger.info('map', new Map([['a', 1]]));
  monitor.logger.info('plain', { a: 1, nested: { b: [1, 2] } });
  try { JSON.parse('{'); } catch (err) {
    monitor.logger.error('parse failed', err);
    monitor.logger.warn('parse failed', err);
    monitor.logger.fatal('parse failed', err);
    monitor.logger.log('error', 'parse failed', err);
    monitor.logger.error(err);
  }
  // @ts-expect-error a number is no attributes object (as console.log would take it)
  monitor.logger.info('user', 42);
  // @ts-expect-error nor is a string
  monitor.logger.debug('user', 'usr-7');
  // @ts-expect-error a Set has values but no names
  monitor.logger.info('tags', new Set(['a']));
  handle({ orderId: 'o1', amount: 3 });
  export {};
`;

describe('logger call types, as an app compiles them', () => {
  it('accept interface-typed attributes, class instances and a caught unknown; refuse a primitive at info', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lexigram-logger-types-'));
    const file = join(dir, 'case.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], appCompilerOptions());
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => diagnosticText(d));
    expect(errors).toEqual([]);
  }, 60_000);
});
