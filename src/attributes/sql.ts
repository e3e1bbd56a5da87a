/**
 * @module
 * SQL text as telemetry records it: literals replaced (values written into the text are not
 * exported, as the semantic conventions ask by default) and the operation word found past
 * leading comments. Shared by the Workers D1 spans and the `sql.query` hook.
 */

/**
 * String, blob and number literals of SQL text (not `?1`, `:name`, `$x` placeholders, nor digits
 * inside identifiers like `t1`).
 */
const LITERALS = /[xX]?'(?:[^']|'')*'|(?<![\w?:@$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?!\w)/g;

/** The SQL text with its literals replaced by `?`; placeholders are kept. */
export function sanitizeSql(sql: string): string {
  return sql.replace(LITERALS, '?');
}

/** The SQL verb (`SELECT`, `INSERT`...), after any leading comments, or `QUERY`. */
export function sqlOperation(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([a-zA-Z]+)/.exec(sql);
  return m ? m[1]!.toUpperCase() : 'QUERY';
}
