import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { appCompilerOptions, diagnosticText } from '../../test/helpers/app-compiler.js';
import { describe, expect, it } from 'vitest';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** The type errors of `source`, compiled as an app would (strict, no Node types), `// @ts-expect-error` lines included. */
function typeErrors(source: string, experimentalDecorators = false): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'lexigram-wrapper-types-')), 'app.ts');
  const imports = `
    import { traced } from ${JSON.stringify(here('./traced.js'))};
    import { metered } from ${JSON.stringify(here('./metered.js'))};
    import { DEFAULT_BUCKETS } from ${JSON.stringify(here('../metrics/histogram.js'))};
    import type { Monitor } from ${JSON.stringify(here('../monitor.js'))};
    declare const monitor: Monitor;
  `;
  writeFileSync(file, imports + source + '\nexport {};\n');
  const program = ts.createProgram([file], appCompilerOptions({ experimentalDecorators }));
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => diagnosticText(d, 1));
}

describe('wrapper types, as an app compiles them', () => {
  it('a class wrapped by name (README: a wrapped class keeps the statics it inherits) type-checks, keeping its statics and `new`', () => {
    expect(
      typeErrors(`
        class Model { static find(id: number): Model { return new this(id); } constructor(readonly id: number) {} }
        class User extends Model { static kind = 'user'; }
        const T = traced('User', User);
        const M = metered('User', User, { monitor });
        const found: Model = T.find(7);
        const made: User = new M(8);
        const kind: string = T.kind;
        // @ts-expect-error the constructor's arguments are kept
        new T('x');
        void [found, made, kind];
      `),
    ).toEqual([]);
  }, 30_000);

  it('a class given with options (not a class decorator) type-checks, keeping its statics and `new`; the class alone does not', () => {
    expect(
      typeErrors(`
        class Model { static find(id: number): Model { return new this(id); } constructor(readonly id: number) {} }
        class User extends Model { static kind = 'user'; }
        const T = traced(User, { monitor });
        const M = metered(User, { labels: { table: 'users' } });
        const found: Model = T.find(7);
        const made: User = new M(8);
        // @ts-expect-error the constructor's arguments are kept
        new T('x');
        // @ts-expect-error the class alone is a class decorator call, which throws
        traced(User);
        void [found, made];
      `),
    ).toEqual([]);
  }, 30_000);

  it('readonly bucket lists (DEFAULT_BUCKETS, `as const`) are accepted by metered and createHistogram', () => {
    expect(
      typeErrors(`
        const LATENCY = [0.01, 0.05, 0.1, 0.5, 1] as const;
        metered('a', () => 1, { buckets: LATENCY });
        metered('b', () => 1, { buckets: DEFAULT_BUCKETS });
        monitor.metrics.createHistogram('c_seconds', 'c', { buckets: DEFAULT_BUCKETS }).observe(1);
        monitor.metrics.createHistogram('d_seconds', 'd', { buckets: LATENCY, unit: 's' }).observe(1);
      `),
    ).toEqual([]);
  }, 30_000);
});

describe('wrapper types that passed and then threw', () => {
  it('under experimentalDecorators, @traced()/@metered() on a getter or setter is a type error (it throws when the class is defined)', () => {
    expect(
      typeErrors(
        `
        class C {
          @traced() @metered() m(): number { return 1; }
          @traced @metered m2(): number { return 1; }
          @traced() async pick<T>(x: T): Promise<T> { return x; }
          @traced static make(): C { return new C(); }
          // @ts-expect-error a getter
          @traced() get g(): number { return 1; }
          // @ts-expect-error a getter, bare
          @traced get g2(): number { return 1; }
          // @ts-expect-error a setter
          @metered() set s(v: number) {}
        }
        const n: number = new C().m() + new C().m2();
        void n;
      `,
        true,
      ),
    ).toEqual([]);
  }, 30_000);

  it('an attribute value no span can hold (an object) is a type error (it throws when wrapped)', () => {
    expect(
      typeErrors(`
        traced('a', () => 1, { attributes: { region: 'eu', shard: 3, on: true, tags: ['a', undefined], ids: [1, 2] as const, unset: undefined, none: null } });
        // @ts-expect-error an array mixing types
        traced('c', () => 1, { attributes: { ids: [1, 'x'] } });
        // @ts-expect-error an object value
        traced('b', () => 1, { attributes: { user: { id: 1 } } });
        // @ts-expect-error an object value, decorator options
        traced({ attributes: { user: { id: 1 } } });
      `),
    ).toEqual([]);
  }, 30_000);
});
