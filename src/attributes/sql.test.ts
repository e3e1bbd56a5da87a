import { describe, expect, it } from 'vitest';
import { sanitizeSql, sqlOperation } from './sql.js';

describe('sanitizeSql: literals replaced by ?, the rest kept', () => {
  it.each([
    ["SELECT * FROM t1 WHERE id = 42 AND name = 'O''Brien' LIMIT 10", 'SELECT * FROM t1 WHERE id = ? AND name = ? LIMIT ?'],
    ["INSERT INTO t VALUES (?1, :name, $x, @y, 3.5e3, x'ABCD', 0xDEADBEEF, .75)", 'INSERT INTO t VALUES (?1, :name, $x, @y, ?, ?, ?, ?)'],
    // An apostrophe in a comment does not open a string: the literal after it is still replaced.
    ["-- don't log tokens\nSELECT * FROM t WHERE token = 'tok_live_SECRET'", "-- don't log tokens\nSELECT * FROM t WHERE token = ?"],
    ["/* it's */ UPDATE users SET email='a@secret.example' WHERE id=5", "/* it's */ UPDATE users SET email=? WHERE id=?"],
    // Double quotes name identifiers; digits inside names stay.
    ['SELECT "name" FROM "users" u WHERE u.b1 = 7', 'SELECT "name" FROM "users" u WHERE u.b1 = ?'],
    // SQLite reads a double-quoted text as a value when no column has that name: only a name is kept.
    ['SELECT * FROM "users" WHERE "email" = "bob@example.com" AND "note" = "two words" AND x = "42"', 'SELECT * FROM "users" WHERE "email" = ? AND "note" = ? AND x = ?'],
    ['SELECT "名前", "a""b" FROM "t_1$"', 'SELECT "名前", ? FROM "t_1$"'],
    // An unterminated string is still a literal, to its end.
    ["SELECT 'unterminated secret", 'SELECT ?'],
  ])('%j', (sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
  });

  it.each([
    // PostgreSQL's dollar quoting, with and without a tag; `$1` parameters are no tag and stay.
    ['SELECT $$hunter2$$, $tag$s3cr3t$tag$ FROM t WHERE a = $1', 'SELECT ?, ? FROM t WHERE a = $1'],
    ['DO $fn$ BEGIN PERFORM $x$ inner $x$; END $fn$ || $2', 'DO ? || $2'],
    ['SELECT $$unterminated secret', 'SELECT ?'],
    // E'…' escapes with a backslash (PostgreSQL).
    ["INSERT INTO u(pw) VALUES (E'a\\'b c', 5)", 'INSERT INTO u(pw) VALUES (?, ?)'],
    // A backslash before a quote: MySQL reads on, standard SQL stops. Both cannot leak: all of the rest goes.
    ["SELECT * FROM u WHERE p = 'abc\\'def' AND x = 1", 'SELECT * FROM u WHERE p = ?'],
    ["SELECT 'C:\\', 'secret' FROM t", 'SELECT ?'],
    ['SELECT * FROM u WHERE p = "abc\\"def" AND x = 1', 'SELECT * FROM u WHERE p = ?'],
    // An even run of backslashes, or one before another character, reads the same in both.
    ["SELECT 'C:\\\\', 'x\\ny' FROM t WHERE a = $1", 'SELECT ?, ? FROM t WHERE a = $1'],
  ])('never leaks dollar-quoted or backslash-escaped literals: %j', (sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
  });

  it('scans long unterminated literals in linear time', { timeout: 5000 }, () => {
    for (const open of ["'", '"', "E'", '$$', '$t$', "'\\'"]) expect(sanitizeSql('SELECT ' + open + 'a$\\'.repeat(100_000))).toBe('SELECT ?');
    // An unterminated backquote names nothing: the text after it is scanned once, as usual.
    expect(sanitizeSql('SELECT `' + 'a1 '.repeat(100_000))).toBe('SELECT `' + 'a1 '.repeat(100_000));
  });

  it('the operation is read past leading comments, from the sanitised text too', () => {
    const sql = "-- don't log tokens\nSELECT * FROM t WHERE token = 'x'";
    expect(sqlOperation(sql)).toBe('SELECT');
    expect(sqlOperation(sanitizeSql(sql))).toBe('SELECT');
    expect(sqlOperation('/* a */ /* b */ insert into t values (1)')).toBe('INSERT');
    expect(sqlOperation('  ')).toBe('QUERY');
  });
});

describe('sanitizeSql: literals that were kept, identifiers that were changed', () => {
  it.each([
    // PostgreSQL 16 and MySQL non-decimal integers, and PostgreSQL 16 digit separators.
    ['SELECT * FROM t WHERE a = 0b1010 OR b = 0o17 OR c = 1_000_000 OR d = 0x_FF OR e = 1_500.000_5', 'SELECT * FROM t WHERE a = ? OR b = ? OR c = ? OR d = ? OR e = ?'],
    // Digits that end a non-ASCII identifier belong to it.
    ['SELECT * FROM tablé1 JOIN 表2 ON 表2.id = tablé1.id WHERE x = 3', 'SELECT * FROM tablé1 JOIN 表2 ON 表2.id = tablé1.id WHERE x = ?'],
    // An apostrophe in a backquoted identifier (MySQL, SQLite) opens no string: the literal after it was left whole.
    ["SELECT `it's`, `order-2` FROM t WHERE pw = 'SECRET'", "SELECT `it's`, `order-2` FROM t WHERE pw = ?"],
  ])('%j', (sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
  });
});

describe('sanitizeSql: no character of a literal is kept, whatever the dialect', () => {
  const CYR = 'абвгдежзийклмнопрстуфхцчшщъыьэюя';
  const SOUP = CYR + CYR + "'\"\\$#-/*[]{}<>()!;:?@ \n\tq_E";
  /** A seeded generator (mulberry32): the same cases on every run. */
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** A secret of Cyrillic letters (none appears elsewhere in a statement) mixed with SQL's special characters. */
  const secret = (r: () => number): string => {
    let s = CYR[Math.floor(r() * CYR.length)]!;
    for (let n = 1 + Math.floor(r() * 12); n > 0; n--) s += SOUP[Math.floor(r() * SOUP.length)];
    return s + CYR[Math.floor(r() * CYR.length)]!;
  };
  /** Each literal form, written as its dialect writes the secret in it. */
  const FORMS: ((s: string) => string)[] = [
    (s) => `'${s.replace(/'/g, "''")}'`,
    (s) => `N'${s.replace(/'/g, "''")}'`,
    (s) => `U&'${s.replace(/'/g, "''")}'`,
    (s) => `_utf8mb4'${s.replace(/'/g, "''")}'`,
    (s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    (s) => `e'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`,
    (s) => `$$${s.replace(/\$/g, '')}$$`,
    (s) => `$tag_1$${s.replace(/\$/g, '')}$tag_1$`,
    (s) => `q'[${s.replace(/]/g, '')}]'`,
    (s) => `Q'{${s.replace(/}/g, '')}}'`,
    (s) => `nq'<${s.replace(/>/g, '')}>'`,
    (s) => `Nq'(${s.replace(/\)/g, '')})'`,
    (s) => `q'!${s.replace(/!/g, '')}!'`,
    // A double-quoted value (SQLite, MySQL); a space makes it no name.
    (s) => `" ${s.replace(/"/g, '""')}"`,
    // MySQL's backslash escapes in a plain string.
    (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
  ];
  /** Text around the literals: comments and names holding an apostrophe, each dialect's own. */
  const AROUND = [
    '',
    ' ',
    "-- it's\n",
    "--it's\n",
    "# it's\n",
    "/* it's */",
    "/* a /* b */ it's */",
    "/* a /* b */ 'x' */",
    "/*!50000 it's */",
    "[it's]",
    '`it\'s`',
    '"it\'s"',
    "data #>> '{a,b}' = ",
    'ARRAY[',
    'x.y[1] ',
    '#temp ',
    "'C:\\' ",
  ];
  const leak = (out: string): string | undefined => [...out].find((ch) => CYR.includes(ch));

  it('random secrets in every literal form, around every comment and quoted name', () => {
    const r = rng(42);
    for (let n = 0; n < 3000; n++) {
      const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)]!;
      // One dialect's text around the literals of a statement (a line comment ends its line): mixed,
      // a text is no dialect's, and what it calls a literal is no dialect's either.
      const around = pick(AROUND) + '\n';
      const sql = `SELECT ${around}${pick(FORMS)(secret(r))}, c ${around}FROM t WHERE a = ${pick(FORMS)(secret(r))} ${around} AND b = ${pick(FORMS)(secret(r))}`;
      const out = sanitizeSql(sql);
      if (leak(out) !== undefined) expect.fail(`${JSON.stringify(sql)}\n  => ${JSON.stringify(out)}`);
    }
  });

  it.each([
    // MySQL's `#` comment: its apostrophe opened a string, and the next literal was kept.
    ["SELECT 1 # it's a comment\nFROM t WHERE p = 'SECRET'", "SELECT ? # it?"],
    // PostgreSQL's nested block comments: the apostrophe after the inner `*/` is still in the comment.
    ["SELECT /* a /* b */ it's */ x FROM t WHERE p = 'SECRET'", 'SELECT /* a /* b */ it?'],
    ["SELECT /* a /* b */ 'SECRET' */ 1 FROM t", 'SELECT /* a /* b */ ? */ ? FROM t'],
    // Oracle's q-quoted strings.
    ["SELECT q'[it's SECRET]' FROM dual WHERE a = Q'{x}' OR b = nq'<y>' OR c = q'!z!'", 'SELECT ? FROM dual WHERE a = ? OR b = ? OR c = ?'],
    // SQLite's and SQL Server's bracketed names; PostgreSQL's subscripts.
    ["SELECT [it's] FROM t WHERE p='SECRET'", 'SELECT [it?'],
    ["SELECT ARRAY['SECRET', 'b'], a[1] FROM t", 'SELECT ARRAY[?, ?], a[?] FROM t'],
    // PostgreSQL's `#` operators: their operands are literals.
    ["SELECT data #>> '{a}' FROM t WHERE data #> '{b}' = 'SECRET'", 'SELECT data #>> ? FROM t WHERE data #> ? = ?'],
    // MySQL's `--` before no space is two minus signs, and `/*!…*/` is run.
    ["SELECT 1--'SECRET'\n", 'SELECT ?--?\n'],
    ["SELECT /*!50000 'SECRET' */ 1", 'SELECT /*!? ? */ ?'],
  ])('%j', (sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
    expect(sanitizeSql(sql)).not.toContain('SECRET');
  });

  it('keeps comments and names whose readings agree, as before', () => {
    expect(sanitizeSql("SELECT /* a */ x /* b */ FROM t WHERE c = 'v' -- done")).toBe('SELECT /* a */ x /* b */ FROM t WHERE c = ? -- done');
    expect(sanitizeSql("# report\nSELECT [name] FROM [t] WHERE x = 'v'")).toBe('# report\nSELECT [name] FROM [t] WHERE x = ?');
    expect(sanitizeSql("/*traceparent='00-ab-cd-01'*/ SELECT 1 /*x*/")).toBe("/*traceparent='00-ab-cd-01'*/ SELECT ? /*x*/");
    expect(sqlOperation('# report\nselect 1')).toBe('SELECT');
  });

  it('reads both ways in linear time', { timeout: 5000 }, () => {
    for (const open of ["# '", "--'", '/* /* ', '[', "q'[", "q'x", "/*! '"]) {
      const out = sanitizeSql('SELECT 1 # x\n' + open + "a['#/*".repeat(50_000));
      expect(out.length).toBeLessThan(400_000);
    }
  });
});
