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
