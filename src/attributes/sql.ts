/**
 * @module
 * SQL text as telemetry records it: literals replaced (values written into the text are not
 * exported, as the semantic conventions ask by default) and the operation word found past
 * leading comments. Shared by the Workers D1 spans and the `sql.query` hook.
 */

/**
 * In one pass, so that each is read where it starts: comments, double-quoted and backquoted
 * identifiers (group 1, kept: an apostrophe in `-- don't` or `` `it's` `` must not open a string,
 * or every literal after it would be kept and every text between them masked), then PostgreSQL's
 * dollar-quoted strings (`$$…$$`, `$tag$…$tag$`; its tag is group 2, and `$1` parameters are
 * no tag), `E'…'` strings, string and blob literals, hex, octal and binary numbers (`0xFF`,
 * `0o17`, `0b1010`, as MySQL and PostgreSQL 16 write them) and decimal numbers (`42`, `3.5e3`,
 * `.75`, PostgreSQL 16's `1_000_000`; not `?1`, `:name`, `$x` placeholders, nor digits inside
 * identifiers like `t1` or `表1`: any letter, not only ASCII, makes them part of a name). SQLite
 * (D1, Durable Objects) reads a double-quoted text as a value when no column has that name
 * (`WHERE email = "bob@example.com"`): only one that reads as a name (`"users"`, `"created_at"`,
 * as ORMs quote every identifier) is kept.
 *
 * A backslash escapes a quote in MySQL (`'it\'s'`) and in `E'…'`, but is a character of its
 * own in standard SQL, SQLite and PostgreSQL (`'C:\'` ends there). The dialect is not known
 * here, and each reading leaks what the other calls a literal (`'a\'b'`, `'C:\', 'secret'`), so
 * a quote after an odd run of backslashes masks the rest of the statement. A doubled quote
 * (`''`), and a backslash before anything else, read the same either way.
 */
const TOKENS =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"[\p{L}_][\p{L}\p{N}_$]*"(?!")|`[^`]*`)|(?<![\p{L}\p{N}_$])(?:\$([\p{L}_][\p{L}\p{N}_]*)?\$[\s\S]*?(?:\$\2\$|$)|[eE]'(?:[^'\\]|''|\\[\s\S])*(?:'|[\s\S]*))|"(?:[^"\\]|""|\\[^"])*(?:"|[\s\S]*)|[xX]?'(?:[^'\\]|''|\\[^'])*(?:'|[\s\S]*)|(?<![\p{L}\p{N}_?:@$.])(?:0(?:[xX][\da-fA-F_]+|[oO][0-7_]+|[bB][01_]+)|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)(?![\p{L}\p{N}_])/gu;

/** The SQL text with its literals replaced by `?`; comments, identifiers and placeholders are kept. */
export function sanitizeSql(sql: string): string {
  return sql.replace(TOKENS, (m, kept: string | undefined) => kept ?? '?');
}

/** The SQL verb (`SELECT`, `INSERT`...), after any leading comments, or `QUERY`. */
export function sqlOperation(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([a-zA-Z]+)/.exec(sql);
  return m ? m[1]!.toUpperCase() : 'QUERY';
}
