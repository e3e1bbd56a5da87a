// Credentials common in URLs are masked by default as URL parameters (OAuth's authorization code
// and PKCE verifier, Firebase's `auth`, session ids, `pass`), while as attribute names these words
// stay what they usually are (a status `code`, an `auth` method).
import { expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS } from './redact.js';

const r = createRedactor(DEFAULT_REDACT_FIELDS);

it('masks OAuth code and code_verifier, Firebase auth, pass and session-id parameters by default', () => {
  expect(r.redactUrl('https://h/cb?code=SEKRET1&state=xyz')).toBe('https://h/cb?code=REDACTED&state=xyz');
  expect(r.redactUrl('https://h/token?code_verifier=SEKRET2&grant_type=authorization_code')).toBe('https://h/token?code_verifier=REDACTED&grant_type=authorization_code');
  expect(r.redactUrl('https://db.firebaseio.com/users.json?auth=SEKRET3')).toBe('https://db.firebaseio.com/users.json?auth=REDACTED');
  expect(r.redactUrl('https://h/?pass=SEKRET4&user=bob')).toBe('https://h/?pass=REDACTED&user=bob');
  expect(r.redactUrl('https://h/?sessionid=SEKRET5&PHPSESSID=SEKRET6&jsessionid=SEKRET7')).toBe('https://h/?sessionid=REDACTED&PHPSESSID=REDACTED&jsessionid=REDACTED');
  expect(r.apply('url.query', 'code=SEKRET8&state=xyz')).toBe('code=REDACTED&state=xyz');
  expect(r.apply('exception.message', 'GET https://h/cb?code=SEKRET9 failed')).toBe('GET https://h/cb?code=REDACTED failed');
});

it('keeps attribute names code, pass, auth and sessionid, and leaves the parameters to the defaults', () => {
  for (const k of ['code', 'pass', 'auth', 'sessionid', 'error.code', 'http.response.status_code']) expect(r.isSecret(k), k).toBe(false);
  expect(createRedactor(['password'], false).redactUrl('https://h/cb?code=c&auth=a')).toBe('https://h/cb?code=c&auth=a');
});
