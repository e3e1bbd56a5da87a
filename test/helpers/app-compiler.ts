/**
 * Type tests compile sources as an app compiles its code against the library: strict, ES2022,
 * bundler resolution, the DOM's types and no Node types (what a Worker or a browser-ish runtime
 * has), so a type that only works with @types/node fails here.
 */
import ts from 'typescript';

export function appCompilerOptions(extra: ts.CompilerOptions = {}): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    ...extra,
  };
}

/** A diagnostic as `line: message`, its line counted from `lineBase`. */
export function diagnosticText(d: ts.Diagnostic, lineBase = 0): string {
  return `${d.file!.getLineAndCharacterOfPosition(d.start!).line + lineBase}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}
