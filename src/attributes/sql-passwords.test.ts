import { describe, expect, it } from 'vitest';
import { sanitizeSql } from './sql.js';

describe('sanitizeSql: passwords in account statements, in each dialect', () => {
  it.each([
    // Oracle: the password is an identifier, unquoted or double-quoted, and REPLACE gives the old one.
    ['CREATE USER scott IDENTIFIED BY tiger', 'CREATE USER scott IDENTIFIED BY ?'],
    ['ALTER USER x IDENTIFIED BY "pw" ACCOUNT UNLOCK', 'ALTER USER x IDENTIFIED BY ? ACCOUNT UNLOCK'],
    ['alter user x identified  by\n"p@ss w0rd!";', 'alter user x identified  by\n?;'],
    ['ALTER USER x IDENTIFIED BY n3w_Pw REPLACE old$Pw#1', 'ALTER USER x IDENTIFIED BY ? REPLACE ?'],
    ['CREATE DATABASE LINK l CONNECT TO scott IDENTIFIED BY tiger USING \'orcl\'', 'CREATE DATABASE LINK l CONNECT TO scott IDENTIFIED BY ? USING ?'],
    ['SET ROLE app_role IDENTIFIED BY rolepw, other', 'SET ROLE app_role IDENTIFIED BY ?, other'],
    // MySQL: a literal, masked as any literal.
    ["CREATE USER 'bob'@'%' IDENTIFIED BY 's3cret'", 'CREATE USER ?@? IDENTIFIED BY ?'],
    ["ALTER USER 'bob'@'localhost' IDENTIFIED WITH caching_sha2_password BY 'n3w'", 'ALTER USER ?@? IDENTIFIED WITH caching_sha2_password BY ?'],
    // PostgreSQL: a literal too.
    ["CREATE ROLE app LOGIN PASSWORD 'pg-secret'", 'CREATE ROLE app LOGIN PASSWORD ?'],
    ["ALTER USER app WITH ENCRYPTED PASSWORD 'md5abc' VALID UNTIL '2027-01-01'", 'ALTER USER app WITH ENCRYPTED PASSWORD ? VALID UNTIL ?'],
  ])('%j', (sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
  });

  it('the same in a text the two readings are taken of (a MySQL comment before it)', () => {
    expect(sanitizeSql('# rotate\nALTER USER x IDENTIFIED BY tiger')).toBe('# rotate\nALTER USER x IDENTIFIED BY ?');
  });

  it('keeps statements that only look alike', () => {
    for (const sql of ['SELECT identified, by_user FROM t WHERE identified_by = $1', 'CREATE OR REPLACE VIEW v AS SELECT 1 AS identified', 'CREATE USER u IDENTIFIED EXTERNALLY'])
      expect(sanitizeSql(sql)).toBe(sql.replace(' 1 ', ' ? '));
  });
});

describe('sanitizeSql: IDENTIFIED BY inside a literal', () => {
  it('a string literal that says "identified by" and opens a double quote masks every literal after it', () => {
    // The password was looked for before the literals were read: a `"` inside this one ran to the
    // next quoted identifier, and the literals after it were cut open and kept as they were.
    const sql = `UPDATE "cases" SET "note" = 'suspect identified by "Big Al', "email" = 'bob@example.com' WHERE "id" = 7`;
    expect(sanitizeSql(sql)).toBe('UPDATE "cases" SET "note" = ?, "email" = ? WHERE "id" = ?');
    expect(sanitizeSql(`# n\n${sql}`)).toBe(`# n\nUPDATE "cases" SET "note" = ?, "email" = ? WHERE "id" = ?`);
  });
});
