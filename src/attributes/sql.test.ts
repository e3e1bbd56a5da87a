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

  it('the operation is read past leading comments, from the sanitised text too', () => {
    const sql = "-- don't log tokens\nSELECT * FROM t WHERE token = 'x'";
    expect(sqlOperation(sql)).toBe('SELECT');
    expect(sqlOperation(sanitizeSql(sql))).toBe('SELECT');
    expect(sqlOperation('/* a */ /* b */ insert into t values (1)')).toBe('INSERT');
    expect(sqlOperation('  ')).toBe('QUERY');
  });
});
