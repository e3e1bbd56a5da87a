import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function bundle(entry: string, contents?: string): Promise<string> {
  const r = await build({
    ...(contents ? { stdin: { contents, resolveDir: root, loader: 'ts' } } : { entryPoints: [resolve(root, entry)] }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

/** Text that only @opentelemetry/api (or the bridge over it) puts in a bundle. */
const OTEL_MARKS = ['opentelemetry.js.api', 'OpenTelemetry Context Key', '@opentelemetry/api', 'ProxyTracerProvider', 'NoopContextManager'];

describe('@opentelemetry/api is an optional peer dependency', () => {
  it('the root entry (src/index.ts) bundles no OpenTelemetry code', async () => {
    const text = await bundle('src/index.ts');
    for (const mark of OTEL_MARKS) expect(text, mark).not.toContain(mark);
    expect(text).not.toMatch(/@opentelemetry\//);
    console.info(`root bundle: ${text.length} bytes minified, no @opentelemetry code`);
  });

  it('an app using the root API does not pull it in either; one importing /otel does', async () => {
    const app = await bundle('', `import { createMonitor } from './src/index.ts'; export const m = () => createMonitor().tracer.startSpan('x');`);
    for (const mark of OTEL_MARKS) expect(app).not.toContain(mark);
    const withOtel = await bundle('', `import { registerOpenTelemetry } from './src/otel/index.ts'; export const r = registerOpenTelemetry;`);
    expect(withOtel).toContain('opentelemetry.js.api');
    console.info(`app without /otel: ${app.length} bytes; with /otel: ${withOtel.length} bytes`);
  });
});
