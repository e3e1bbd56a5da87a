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
 * no tag), Oracle's q-quoted strings (`q'[it's]'`, `Q'{…}'`, `nq'<…>'`, `q'!…!'`; a custom
 * delimiter is group 3), `E'…'` strings, string and blob literals, hex, octal and binary numbers (`0xFF`,
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
 *
 * This is the standard reading (PostgreSQL's, and SQLite's but for `[name]`); see OTHER_READING.
 */
// The literals, after group 1 (what is kept): a dollar quote's tag is group 2, a q-quote's delimiter group 3.
const LITERALS = String.raw`(?<![\p{L}\p{N}_$])(?:\$([\p{L}_][\p{L}\p{N}_]*)?\$[\s\S]*?(?:\$\2\$|$)|[nN]?[qQ]'(?:\[[\s\S]*?\]'|\{[\s\S]*?\}'|<[\s\S]*?>'|\([\s\S]*?\)'|([^\s[{<(])[\s\S]*?\3'|[\s\S]*)|[eE]'(?:[^'\\]|''|\\[\s\S])*(?:'|[\s\S]*))|"(?:[^"\\]|""|\\[^"])*(?:"|[\s\S]*)|[xX]?'(?:[^'\\]|''|\\[^'])*(?:'|[\s\S]*)|(?<![\p{L}\p{N}_?:@$.])(?:0(?:[xX][\da-fA-F_]+|[oO][0-7_]+|[bB][01_]+)|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)(?![\p{L}\p{N}_])`;
const TOKENS = new RegExp(/(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"[\p{L}_][\p{L}\p{N}_$]*"(?!")|`[^`]*`)/u.source + '|' + LITERALS, 'gu');

/**
 * The same tokens as other dialects read what TOKENS reads otherwise: MySQL's `#` line comments
 * (PostgreSQL's `#` is an operator: `data #>> '{a}'`), MySQL's `--` that is a comment only before
 * a space (`1--'x'` is `1 - -'x'` there), `/*!…*\/` that MySQL executes, block comments that do
 * not nest (PostgreSQL's do: `/* a /* b *\/ it's *\/`), and `[name]` identifiers (SQLite, SQL
 * Server; an array subscript in PostgreSQL: `ARRAY['x']`). A text where the two readings may differ
 * (see AMBIGUOUS) is read both ways, and whatever either calls a literal is masked: an apostrophe
 * inside what one reads as a comment or a name then opens a string that hides no literal of the other.
 */
const OTHER_READING = new RegExp(/(--(?![^\s])[^\n]*|#[^\n]*|\/\*(?!!)[\s\S]*?(?:\*\/|$)|"[\p{L}_][\p{L}\p{N}_$]*"(?!")|`[^`]*`|\[[^\][]*\])/u.source + '|' + LITERALS, 'gu');

/** What the two readings may read apart: `#`, `--` before no space, `/*!`, `[`; a second `/*` is checked apart. */
const AMBIGUOUS = /#|--\S|\/\*!|\[/;

/**
 * Oracle's account passwords, which are identifiers, not literals (`CREATE USER scott IDENTIFIED BY
 * tiger`, `ALTER USER x IDENTIFIED BY "pw" REPLACE old`, also for roles and database links): each
 * password, the old one after `REPLACE` too, becomes `?`. MySQL's `IDENTIFIED BY 'pw'` and
 * PostgreSQL's `PASSWORD 'pw'` are literals, masked with the others.
 */
const ACCOUNT_PASSWORD = /(\bidentified\s+by\s+)(?:"[^"\n]*"|[^\s;'",)]+)(?:(\s+replace\s+)(?:"[^"\n]*"|[^\s;'",)]+))?/gi;

/** The SQL text with its literals (and Oracle's passwords) replaced by `?`; comments, identifiers and placeholders are kept. */
export function sanitizeSql(sql: string): string {
  // The passwords are looked for once the literals are masked: looked for first, a literal that
  // says `identified by "` ran to the next double quote, and the literals after it were kept.
  return maskLiterals(sql).replace(ACCOUNT_PASSWORD, (_, by: string, replace?: string) => by + '?' + (replace ? replace + '?' : ''));
}

function maskLiterals(sql: string): string {
  const c = sql.indexOf('/*');
  // The usual statement reads alike in every dialect: one pass, as the string is replaced.
  if (!AMBIGUOUS.test(sql) && (c < 0 || sql.indexOf('/*', c + 2) < 0)) return sql.replace(TOKENS, (m, kept: string | undefined) => kept ?? '?');
  // Each character either reading calls part of a literal is masked; each run of them becomes one `?`.
  const masked = new Uint8Array(sql.length);
  mark(sql, TOKENS, masked);
  mark(sql, OTHER_READING, masked);
  let out = '';
  for (let i = 0; i < sql.length; ) {
    let j = masked.indexOf(masked[i]! ^ 1, i);
    if (j < 0) j = sql.length;
    out += masked[i] ? '?' : sql.slice(i, j);
    i = j;
  }
  return out;
}

/**
 * Marks the literals one reading finds. TOKENS's block comments end where their nesting does, as
 * in PostgreSQL (`/* a /* b *\/ c *\/`).
 */
function mark(sql: string, re: RegExp, masked: Uint8Array): void {
  re.lastIndex = 0;
  for (let m; (m = re.exec(sql)); ) {
    const kept = m[1];
    if (kept === undefined) masked.fill(1, m.index, re.lastIndex);
    else if (re === TOKENS && kept.startsWith('/*')) re.lastIndex = commentEnd(sql, m.index);
  }
}

/** Where the block comment opening at `start` ends, counting the ones nested in it (the text's end if it does not). */
function commentEnd(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    const c = sql.charCodeAt(i);
    const n = sql.charCodeAt(i + 1);
    if (c === 47 && n === 42) {
      depth++;
      i++;
    } else if (c === 42 && n === 47) {
      i++;
      if (--depth === 0) return i + 1;
    }
  }
  return sql.length;
}

/** The SQL verb (`SELECT`, `INSERT`...), after any leading comments, or `QUERY`. */
export function sqlOperation(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*|#[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([a-zA-Z]+)/.exec(sql);
  return m ? m[1]!.toUpperCase() : 'QUERY';
}
