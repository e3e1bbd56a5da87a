/**
 * @module
 * SQL text as telemetry records it: literals replaced (values written into the text are not
 * exported, as the semantic conventions ask by default) and the operation word found past
 * leading comments. Shared by the Workers D1 spans and the `sql.query` hook.
 */

/**
 * In one pass, so that each is read where it starts: comments and double-quoted identifiers
 * (group 1, kept: an apostrophe in `-- don't` must not open a string), then string and blob
 * literals, hex numbers and decimal numbers (`42`, `3.5e3`, `.75`; not `?1`, `:name`, `$x`
 * placeholders, nor digits inside identifiers like `t1`). SQLite (D1, Durable Objects) reads a
 * double-quoted text as a value when no column has that name (`WHERE email = "bob@example.com"`):
 * only one that reads as a name (`"users"`, `"created_at"`, as ORMs quote every identifier) is kept.
 */
const TOKENS = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"[\p{L}_][\p{L}\p{N}_$]*"(?!"))|"(?:[^"]|"")*"?|[xX]?'(?:[^']|'')*'?|\b0[xX][0-9a-fA-F]+\b|(?<![\w?:@$.])(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?!\w)/gu;

/** The SQL text with its literals replaced by `?`; comments, identifiers and placeholders are kept. */
export function sanitizeSql(sql: string): string {
  return sql.replace(TOKENS, (m, kept: string | undefined) => kept ?? '?');
}

/** The SQL verb (`SELECT`, `INSERT`...), after any leading comments, or `QUERY`. */
export function sqlOperation(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([a-zA-Z]+)/.exec(sql);
  return m ? m[1]!.toUpperCase() : 'QUERY';
}
