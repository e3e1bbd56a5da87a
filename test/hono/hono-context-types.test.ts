/**
 * `c.get(MONITOR_KEY)` in a handler, as the middleware documents, typechecks (strict) and gives a
 * Monitor, with no Variables declared by the app and no cast.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

test('c.get(MONITOR_KEY) typechecks in a Hono handler and is the Monitor', () => {
  const file = join(here, '__hono_context_types_check.ts');
  const code = [
    "import { Hono } from 'hono';",
    "import { MONITOR_KEY, monitorMiddleware } from '../../src/middleware/hono/index.js';",
    "import { createMonitor, type Monitor } from '../../src/index.js';",
    'const app = new Hono();',
    "app.use(monitorMiddleware(createMonitor({ serviceName: 'api' })));",
    "app.get('/', (c) => {",
    '  const monitor: Monitor = c.get(MONITOR_KEY);',
    "  monitor.logger.info('hello');",
    "  return c.text('ok');",
    '});',
    '',
  ].join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, code, lang) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram({ rootNames: [file], options, host });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(errors).toEqual([]);
}, 60_000);
