import { describe, expect, it, vi } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS, REDACTED, redactDeep, redactEntry } from './redact.js';
import { describe as describeValue } from './sanitize.js';

const r = createRedactor(DEFAULT_REDACT_FIELDS);
const M = 'REDACTED';

describe('redactUrl', () => {
  it('replaces userinfo with REDACTED:REDACTED (OTel HTTP semconv: url.full must not carry credentials)', () => {
    expect(r.redactUrl('https://bob:pw@example.com/x?a=1')).toBe('https://REDACTED:REDACTED@example.com/x?a=1');
    expect(r.redactUrl('https://tok@example.com')).toBe('https://REDACTED:REDACTED@example.com');
    expect(r.redactUrl('//u:p@h:8080/p')).toBe('//REDACTED:REDACTED@h:8080/p');
    expect(r.apply('url.full', 'postgres://u:p%40ss@db:5432/app')).toBe('postgres://REDACTED:REDACTED@db:5432/app');
    // An @ after the authority is not userinfo.
    expect(r.redactUrl('https://example.com/users/@me?email=a@b.c')).toBe('https://example.com/users/@me?email=a@b.c');
    expect(r.redactUrl('https://example.com/a?next=https://u:p@x/')).toBe('https://example.com/a?next=https://u:p@x/');
  });

  it('masks secret k=v pairs in the fragment as in the query', () => {
    expect(r.redactUrl('https://x/cb#access_token=FRAG&state=s')).toBe(`https://x/cb#access_token=${M}&state=s`);
    expect(r.redactUrl('https://x/?a=1&token=Q#id_token=F&x=1')).toBe(`https://x/?a=1&token=${M}#id_token=${M}&x=1`);
    expect(r.redactUrl('https://x/#/route?token=H')).toBe(`https://x/#/route?token=${M}`);
    expect(r.redactUrl('https://x/p#section-2')).toBe('https://x/p#section-2');
  });

  it('masks the signed-URL parameters the semantic conventions list, with their REDACTED (url.full, url.query)', () => {
    const s3 = 'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Date=20261126T000000Z&X-Amz-Security-Token=T&X-Amz-Signature=abc';
    expect(r.apply('url.full', s3)).toBe(
      `https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${M}&X-Amz-Date=20261126T000000Z&X-Amz-Security-Token=${M}&X-Amz-Signature=${M}`,
    );
    expect(r.apply('url.query', 'AWSAccessKeyId=A&Expires=1&Signature=S')).toBe(`AWSAccessKeyId=${M}&Expires=1&Signature=${M}`);
    expect(r.apply('url.full', 'https://x.blob.core.windows.net/c/b?sv=2022&sig=S&se=1')).toBe(`https://x.blob.core.windows.net/c/b?sv=2022&sig=${M}&se=1`);
    expect(r.apply('url.full', 'https://storage.googleapis.com/b/o?X-Goog-Signature=G&x-goog-date=1')).toBe(`https://storage.googleapis.com/b/o?X-Goog-Signature=${M}&x-goog-date=1`);
    // Only as URL parameters: as attribute names these words are no secret.
    expect(r.isSecret('signature')).toBe(false);
    expect(r.isSecret('sig')).toBe(false);
  });

  it('url.query is a query string without its `?`: all of it is pairs, so a later value holding `?` hides no secret', () => {
    expect(r.apply('url.query', 'access_token=TOKEN&next=/home?tab=1')).toBe(`access_token=${M}&next=/home?tab=1`);
    expect(r.apply('url.query', 'next=/home?tab=1&token=T')).toBe(`next=/home?tab=1&token=${M}`);
    expect(r.apply('url.query', 'a=1?b&X-Amz-Signature=S')).toBe(`a=1?b&X-Amz-Signature=${M}`);
    // redactUrl tells a bare query string by its first `=`, before any `/`, `?` or `:`.
    expect(r.redactUrl('access_token=TOKEN&next=/home?tab=1')).toBe(`access_token=${M}&next=/home?tab=1`);
    // In a URL, the query starts at the first `?`, and later ones are inside values.
    expect(r.redactUrl('https://h/cb?access_token=T&next=/home?tab=1')).toBe(`https://h/cb?access_token=${M}&next=/home?tab=1`);
    expect(r.redactUrl('/cb?next=/a?b=1&token=T')).toBe(`/cb?next=/a?b=1&token=${M}`);
    expect(r.apply('http.target', '/p/a=b?token=T')).toBe(`/p/a=b?token=${M}`);
  });

  it('walks every pair of a query: names without `=`, empty pairs, `=` in values, encoded names', () => {
    expect(r.apply('url.query', 'flag&token=T&&a=b=c&')).toBe(`flag&token=${M}&&a=b=c&`);
    expect(r.apply('url.query', 'a=1&access%5Ftoken=T&api+key=K&x')).toBe(`a=1&access%5Ftoken=${M}&api+key=${M}&x`);
    expect(r.apply('url.query', 'token=&b=%zz=1&token=2')).toBe(`token=${M}&b=%zz=1&token=${M}`);
    expect(r.apply('url.query', 'a=1&b=2')).toBe('a=1&b=2');
  });

  it('a fragment of pairs is masked even when a later value holds `?`; a hash route keeps its `?`', () => {
    expect(r.redactUrl('https://h/cb#access_token=SECRET&x=/a?b=c')).toBe(`https://h/cb#access_token=${M}&x=/a?b=c`);
    expect(r.apply('url.full', 'https://h/cb?a=1#id_token=S&next=/x?y=1')).toBe(`https://h/cb?a=1#id_token=${M}&next=/x?y=1`);
    expect(r.redactUrl('https://x/#/route?token=H')).toBe(`https://x/#/route?token=${M}`);
    expect(r.redactUrl('https://x/#/route?a=1&token=H&next=/b?c=d')).toBe(`https://x/#/route?a=1&token=${M}&next=/b?c=d`);
  });

  it('masks URL strings of an array (http.*.header.<name> is a string[]); other elements and non-URL keys are left alone', () => {
    const v = ['https://app/login?token=REF&step=2', 'https://app/x', 7];
    expect(r.apply('http.request.header.referer', v)).toEqual([`https://app/login?token=${M}&step=2`, 'https://app/x', 7]);
    const clean = ['https://app/x'];
    expect(r.apply('http.request.header.referer', clean)).toBe(clean);
    expect(r.apply('url.query', ['token=T'])).toEqual([`token=${M}`]);
    expect(r.apply('database_url', ['postgres://u:p@h/db'])).toEqual(['postgres://REDACTED:REDACTED@h/db']);
    const other = ['token=T'];
    expect(r.apply('http.request.header.accept', other)).toBe(other);
    expect(redactDeep({ headers: { 'http.response.header.location': ['https://b/k?X-Amz-Signature=S'] } }, r)).toEqual({
      headers: { 'http.response.header.location': [`https://b/k?X-Amz-Signature=${M}`] },
    });
  });

  it('keeps what it masked before: query parameters and bare query strings', () => {
    expect(r.redactUrl('https://x/?password=p3&q=1')).toBe(`https://x/?password=${M}&q=1`);
    expect(r.redactUrl('token=t&q=1')).toBe(`token=${M}&q=1`);
    const same = 'https://x/p?q=1';
    expect(r.redactUrl(same)).toBe(same);
  });
});

describe('apply: a secret value keeps its kind', () => {
  it('an array under a secret key becomes [REDACTED] in an array (a captured header is string[]); any other value the string', () => {
    expect(r.apply('http.request.header.authorization', ['Bearer a', 'Bearer b'])).toEqual(['[REDACTED]']);
    expect(r.apply('authorization', 'Bearer a')).toBe('[REDACTED]');
    expect(r.apply('password', 42)).toBe('[REDACTED]');
  });
});

describe('isSecret: the names redacted before word matching stay redacted', () => {
  it('every default name, in any case, with - or _ or neither, alone or as the last dotted segment', () => {
    for (const f of DEFAULT_REDACT_FIELDS) {
      for (const n of [f, f.toUpperCase(), f.replace(/[-_]/g, ''), f.replace(/_/g, '-'), `http.request.header.${f}`]) expect(r.isSecret(n), n).toBe(true);
    }
    expect(r.isSecret('apiKey')).toBe(true);
    expect(r.isSecret('API-KEY')).toBe(true);
    expect(createRedactor(['ssn']).isSecret('user.ssn')).toBe(true);
  });
});

describe('isSecret: a name is secret by its words', () => {
  it('splits at non-alphanumerics and camelCase humps; the secret word ends the name or is followed by a word that is no descriptor', () => {
    for (const n of ['Session-Token', 'X-Session-Token', 'session_token', 'password_hash', 'db_password', 'DB_PASSWORD', 'DB_PASSWORD_2', 'user.password', 'clientSecret', 'oauth.client_secret.value', 'x-auth-token', 'X-CSRF-Token', 'refreshTokenValue', 'IDToken', 'password_plaintext', 'secret_base64', 'password_b64', 'tokenRaw', 'cookie.encrypted', 'SecretString', 'SECRET_KEY', 'aws_secret_access_key', 'secretAccessKey']) {
      expect(r.isSecret(n), n).toBe(true);
    }
    // Pagination cursors end in `token` and are redacted: opaque, per request, some replayable.
    for (const n of ['next_page_token', 'NextToken', 'nextPageToken']) expect(r.isSecret(n), n).toBe(true);
  });

  it('a secret word followed by a descriptor word, or after a flag word, names something about the secret: kept, with its type', () => {
    const kept: [string, unknown][] = [
      ['aws.secretsmanager.secret.arn', 'arn:aws:secretsmanager:eu-west-1:1:secret:x'],
      ['aspnetcore.authorization.policy', 'AdminOnly'],
      ['aspnetcore.authorization.result', 'success'],
      ['aspnetcore.identity.password_check_result', 'failure'],
      ['aspnetcore.identity.token_purpose', 'reset_password'],
      ['aspnetcore.identity.token_verified', 'success'],
      ['has_password', true],
      ['user.hasPassword', false],
      ['password_required', true],
      ['requires_client_secret', true],
      ['withCredentials', true],
      ['is_token_valid', true],
      ['token_expires_at', 1_790_000_000],
      ['token_endpoint', 'https://idp.example/oauth/token'],
      ['time_to_first_token_ms', 412],
      ['authorization_status', 'granted'],
      ['private_key_path', '/etc/tls/key.pem'],
      ['cookie_consent', 'accepted'],
      ['credentials_provider', 'env'],
      ['secret.version', 3],
      ['password_last_changed', '2026-01-01'],
      // Descriptors decide only right after the secret (and after `key` or `access`, which continue its name).
      ['token_count', 12],
      ['api_key_id', 'ak_01'],
      ['secret_arn', 'arn:aws:secretsmanager:eu-west-1:1:secret:x'],
      ['gen_ai.usage.input_tokens', 12],
      ['max_tokens', 256],
      ['cache.key', 'user:1'],
      ['session.id', 's-1'],
      ['public_key', 'ssh-ed25519 AAAA'],
      ['idempotency_key', 'k-1'],
      ['token_issued_at', 1_790_000_000],
      ['password_updated_at', '2026-01-01'],
      ['token_ttl', 3600],
      ['failed_password_attempts', 3],
      ['api_key_last4', '4242'],
      ['signing_key_id', 'kid-1'],
      ['encryption_key_arn', 'arn:aws:kms:eu-west-1:1:key/x'],
      ['SharedAccessKeyName', 'RootManageSharedAccessKey'],
      ['jwt_expires_at', 1_790_000_000],
      ['token_budget', 4096],
      ['token_estimate', 900],
      ['token_lifetime', 3600],
      ['session_token_timeout', 30],
      ['otp_sent', true],
      ['password_rotation', 'monthly'],
      ['secret_disabled', false],
      ['jwt_alg', 'RS256'],
      ['otp_enabled', true],
      ['token_uri', 'https://oauth2.googleapis.com/token'],
      ['client_secret_expires_at', 0],
      ['token_type_hint', 'refresh_token'],
      // A file under a secret's name is a path to it (Docker's `_FILE` convention, `credentials_file`).
      ['credentials_file', '/etc/app/credentials.json'],
      ['private_key_file', '/etc/tls/key.pem'],
      ['PASSWORD_FILE', '/run/secrets/db_password'],
    ];
    for (const [n, v] of kept) {
      expect(r.isSecret(n), n).toBe(false);
      expect(r.apply(n, v), n).toBe(v);
    }
  });

  it('any word after a secret but a descriptor redacts: a confirmation, a header, an encoding or a hash of it holds it too', () => {
    for (const n of [
      'password_confirmation',
      'passwordConfirmation',
      'password_confirm',
      'password_repeat',
      'password_again',
      'password_new',
      'password_old',
      'password.new',
      'user.password.new',
      'passwordInput',
      'password_field',
      'password_cleartext',
      'password_2fa',
      'authorization_header',
      'authorizationHeader',
      'cookie_header',
      'set_cookie_header',
      'api_key_header',
      'api_key_param',
      'authorization.bearer',
      'token_bearer',
      'client_secret_post',
      'token_response',
      'token_payload',
      'access_token_jwt',
      'id_token_jwt',
      'token.jwt',
      'token_base64url',
      'token_sha256',
      'password_sha256',
      'token_md5',
      'credentials_json',
      'secret_json',
      'private_key_json',
      'secret_answer',
      // A descriptor after the first secret word does not keep a later one; `hint` and `reset` are no descriptors.
      'password_reset_token',
      'password_reset_code',
      'password_new_hash',
      'id_token_hint',
      'password_hint',
      'secret_key_base',
      'secret_key_path', // `key` is no descriptor: the word after `secret` decides
    ]) {
      expect(r.isSecret(n), n).toBe(true);
      expect(r.apply(n, 'v'), n).toBe('[REDACTED]');
    }
    expect(r.redactUrl('https://idp/logout?id_token_hint=JWT&post_logout_redirect_uri=https://app/')).toBe(`https://idp/logout?id_token_hint=${M}&post_logout_redirect_uri=https://app/`);
  });

  it('the defaults name tokens by their kind, passwords by other names and secret key compounds', () => {
    for (const n of [
      'jwt',
      'auth.jwt',
      'jwt_secret',
      'bearer_token',
      'bearer',
      'passphrase',
      'ssh_passphrase',
      'otp',
      'otp_code',
      'pwd',
      'MYSQL_PWD',
      'db_pwd',
      'signing_key',
      'jwtSigningKey',
      'encryption_key',
      'DATA_ENCRYPTION_KEY',
      'master_key',
      'AccountKey',
      'storage_account_key',
      'SharedAccessKey',
      'Ocp-Apim-Subscription-Key',
      'http.request.header.ocp-apim-subscription-key',
      'x-functions-key',
      'http.request.header.x-functions-key',
    ]) {
      expect(r.isSecret(n), n).toBe(true);
    }
    // `code` is OAuth's authorization code as a URL parameter (masked), `page` no secret.
    expect(r.redactUrl('https://x/?jwt=J&otp=1&code=c&page=2')).toBe(`https://x/?jwt=${M}&otp=${M}&code=${M}&page=2`);
    // Personal data is the user's to list.
    for (const n of ['ssn', 'card_number', 'cloud.account.id', 'messaging.destination.subscription.name']) expect(r.isSecret(n), n).toBe(false);
  });

  it('two adjacent words joined count as one default name (api+key, private+key, access+token)', () => {
    for (const n of ['stripeApiKey', 'stripe_api_key', 'XAPIKey', 'http.request.header.x-api-key', 'gcp.private_key.pem', 'githubAccessToken', 'ApiKeyValue']) expect(r.isSecret(n), n).toBe(true);
    // A user name of several words matches its words in a row, too.
    expect(createRedactor(['x-internal-sig']).isSecret('outgoing.xInternalSig')).toBe(true);
  });

  it('words are whole: a compound written as one lowercase word needs its own name in the list', () => {
    expect(r.isSecret('x-authtoken')).toBe(false);
    expect(createRedactor([...DEFAULT_REDACT_FIELDS, 'authtoken']).isSecret('x-authtoken')).toBe(true);
    // Short user names match whole words only: `pin` is not in `spin`.
    const pin = createRedactor(['pin']);
    expect(pin.isSecret('card.pin')).toBe(true);
    expect(pin.isSecret('spin')).toBe(false);
  });

  it('keeps names a user reads as data, not secrets', () => {
    for (const n of [
      'gen_ai.usage.input_tokens', // plural `tokens` is a count (GenAI semantic conventions)
      'gen_ai.usage.output_tokens',
      'gen_ai.request.max_tokens',
      'max_tokens',
      'token_count', // a secret word followed by count, length, size, type, name, limit or usage
      'llm.token_count.prompt',
      'tokenCount',
      'token_type',
      'password_length',
      'secret.name',
      'cookie.size',
      'token_usage',
      'cache.key', // `key` alone is a lookup key, not an API key
      'messaging.kafka.message.key',
      'http.request.header.keep-alive',
      'author', // words are whole: `author` is not `authorization`
      'authority',
      'session.id', // OpenTelemetry semantic convention: an identifier to correlate by, not a credential
      'passwordless', // a login method, not a password
      'tokenizer',
      'secretary',
      'user.name',
      'http.request.method',
    ]) {
      expect(r.isSecret(n), n).toBe(false);
      expect(r.apply(n, 'v'), n).toBe('v');
    }
  });

  it('follows redactDefaults: false (an empty list redacts no name)', () => {
    const none = createRedactor([]);
    expect(none.isSecret('db_password')).toBe(false);
    expect(none.isSecret('X-Session-Token')).toBe(false);
  });

  it('redactDefaults: false turns the built-in signed-URL and connection-string names off too, with or without redactFields; user names and user:password@ still apply', () => {
    const s3 = 'https://b/k?X-Amz-Signature=SIG&ssn=1&sig=S';
    const conn = 'Server=h;Uid=u;Pwd=PW;AccountKey=AK;ssn=1';
    for (const custom of [createRedactor([]), createRedactor(['ssn'])]) {
      expect(custom.apply('url.full', 'https://u:p@b/k?X-Amz-Signature=SIG&sig=S')).toBe('https://REDACTED:REDACTED@b/k?X-Amz-Signature=SIG&sig=S');
      expect(custom.apply('db.connection_string', 'Server=h;Uid=u;Pwd=PW;AccountKey=AK')).toBe('Server=h;Uid=u;Pwd=PW;AccountKey=AK');
      expect(custom.apply('download_url', 'https://b/k?AWSAccessKeyId=AKIA&Signature=S')).toBe('https://b/k?AWSAccessKeyId=AKIA&Signature=S');
    }
    const ssn = createRedactor(['ssn']);
    expect(ssn.apply('url.full', s3)).toBe(`https://b/k?X-Amz-Signature=SIG&ssn=${M}&sig=S`);
    expect(ssn.apply('db.connection_string', conn)).toBe('Server=h;Uid=u;Pwd=PW;AccountKey=AK;ssn=[REDACTED]');
    // With the defaults (in any order, with more names) or when asked, the built-ins are on.
    for (const on of [createRedactor([...DEFAULT_REDACT_FIELDS, 'ssn']), createRedactor(['ssn', ...[...DEFAULT_REDACT_FIELDS].reverse()]), createRedactor(['ssn'], true)]) {
      expect(on.apply('url.full', s3)).toBe(`https://b/k?X-Amz-Signature=${M}&ssn=${M}&sig=${M}`);
      expect(on.apply('db.connection_string', conn)).toBe('Server=h;Uid=u;Pwd=[REDACTED]');
    }
    expect(createRedactor(DEFAULT_REDACT_FIELDS, false).apply('url.full', s3)).toBe('https://b/k?X-Amz-Signature=SIG&ssn=1&sig=S');
  });

  it('secret query and fragment parameters are matched by words too', () => {
    expect(r.redactUrl('https://x/?stripeApiKey=K&max_tokens=5')).toBe(`https://x/?stripeApiKey=${M}&max_tokens=5`);
    expect(r.apply('url.full', 'https://x/cb#session_token=S&session.id=1')).toBe(`https://x/cb#session_token=${M}&session.id=1`);
  });

  it('URL parameter names (picked by a client, any number) do not fill the cache of attribute keys', () => {
    const fresh = createRedactor(DEFAULT_REDACT_FIELDS);
    for (let i = 0; i < 5000; i++) fresh.redactUrl(`https://x/?p${i}_${i.toString(36)}=1`);
    for (let i = 0; i < 5000; i++) fresh.apply('db.connection_string', `Server=h;q${i}=1`);
    expect(fresh.isSecret('X-Session-Token')).toBe(true);
    // A repeated key is answered from the cache: its words are not split again.
    const match = vi.spyOn(String.prototype, 'match');
    try {
      expect(fresh.isSecret('X-Session-Token')).toBe(true);
      expect(fresh.isSecret('X-Session-Token')).toBe(true);
      expect(match).not.toHaveBeenCalled();
    } finally {
      match.mockRestore();
    }
  });

  it('mayRedact agrees with isSecret for a new key and answers a repeated key the same', () => {
    const fresh = createRedactor(DEFAULT_REDACT_FIELDS);
    for (let round = 0; round < 2; round++) {
      expect(fresh.mayRedact('X-Session-Token')).toBe(true);
      expect(fresh.mayRedact('gen_ai.usage.input_tokens')).toBe(false);
      expect(fresh.mayRedact('db.connection_string')).toBe(true);
    }
  });
});

describe('connection strings and URL-valued names', () => {
  it('keeps the host of a connection string but not its credentials', () => {
    expect(r.apply('db.connection_string', 'postgres://u:p@host:5432/db')).toBe('postgres://REDACTED:REDACTED@host:5432/db');
    expect(r.apply('connectionString', 'mongodb://admin:pw@h1:27017,h2:27017/app?replicaSet=rs0&authSource=admin')).toBe(
      'mongodb://REDACTED:REDACTED@h1:27017,h2:27017/app?replicaSet=rs0&authSource=admin',
    );
    expect(r.apply('DATABASE_URL', 'redis://:hunter2@cache:6379/0')).toBe('redis://REDACTED:REDACTED@cache:6379/0');
    expect(r.apply('db.connection_string', 'postgres://host/db')).toBe('postgres://host/db');
    // Not a secret name: a connection string is scrubbed, not replaced whole.
    expect(r.isSecret('db.connection_string')).toBe(false);
  });

  it('masks everything from the first secret name=value pair on, in URL, JDBC, ADO.NET, ODBC, libpq and Azure forms', () => {
    const c = (v: string) => r.apply('db.connection_string', v);
    expect(c('jdbc:postgresql://h/db?user=u&password=p&ssl=true')).toBe('jdbc:postgresql://h/db?user=u&password=[REDACTED]');
    expect(c('jdbc:sqlserver://h:1433;databaseName=d;user=u;password=p w;encrypt=true')).toBe('jdbc:sqlserver://h:1433;databaseName=d;user=u;password=[REDACTED]');
    expect(c('Server=tcp:h,1433;Database=d;User Id=u@h;Password=p w;')).toBe('Server=tcp:h,1433;Database=d;User Id=u@h;Password=[REDACTED]');
    expect(c('Driver={ODBC Driver 18};Server=h;Uid=u;PWD=p;')).toBe('Driver={ODBC Driver 18};Server=h;Uid=u;PWD=[REDACTED]');
    // A quoted value may hold a separator: cutting at the secret leaves no part of it.
    expect(c('Server=h;Password="a;b";Database=d')).toBe('Server=h;Password=[REDACTED]');
    expect(c('Server=h;PWD={a;b}}c};Database=d')).toBe('Server=h;PWD=[REDACTED]');
    expect(c('host=h port=5432 password=secret dbname=d')).toBe('host=h port=5432 password=[REDACTED]');
    expect(c("host=h password='a b' dbname=d")).toBe('host=h password=[REDACTED]');
    expect(c('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+/==;EndpointSuffix=core.windows.net')).toBe(
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED]',
    );
    expect(c('Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=k==')).toBe(
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=[REDACTED]',
    );
    expect(c('BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2020&sig=abc')).toBe('BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=[REDACTED]');
    expect(c('Server=(localdb)\\v11.0;Integrated Security=true;')).toBe('Server=(localdb)\\v11.0;Integrated Security=true;');
    // With an empty list (redactDefaults: false and no redactFields) only the URL credentials go.
    expect(createRedactor([]).apply('db.connection_string', 'postgres://u:p@h/db?password=p')).toBe('postgres://REDACTED:REDACTED@h/db?password=p');
  });

  it('names ending in url, uri or dsn get the same scrubbing; a non-string value is left alone', () => {
    expect(r.apply('redis.url', 'rediss://user:pw@h:6380')).toBe('rediss://REDACTED:REDACTED@h:6380');
    expect(r.apply('mongo_uri', 'mongodb+srv://u:p@cluster0.example.net/db')).toBe('mongodb+srv://REDACTED:REDACTED@cluster0.example.net/db');
    expect(r.apply('maps_url', 'https://maps.example/api?q=x&key=AIza123')).toBe('https://maps.example/api?q=x&key=[REDACTED]');
    expect(r.apply('image.url', 'https://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(r.apply('aws.sqs.queue.url', 'https://sqs.us-east-1.amazonaws.com/123/q')).toBe('https://sqs.us-east-1.amazonaws.com/123/q');
    expect(r.apply('profile_url', 'https://social.example/@ann')).toBe('https://social.example/@ann');
    expect(r.apply('db.connection_string', 42)).toBe(42);
  });

  it('a URL under a name of its own loses its signed-URL keys too (from the first on)', () => {
    expect(r.apply('presigned_url', 'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F2026&X-Amz-Date=1&X-Amz-Signature=abc')).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]',
    );
    expect(r.apply('download_url', 'https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAEXAMPLE&Expires=1&Signature=abc')).toBe('https://b.s3.amazonaws.com/k?AWSAccessKeyId=[REDACTED]');
    expect(r.apply('blob_uri', 'https://a.blob.core.windows.net/c/b?sv=2022&se=1&sig=S')).toBe('https://a.blob.core.windows.net/c/b?sv=2022&se=1&sig=[REDACTED]');
    expect(r.apply('gcs_url', 'https://storage.googleapis.com/b/o?X-Goog-Date=1&X-Goog-Signature=G')).toBe('https://storage.googleapis.com/b/o?X-Goog-Date=1&X-Goog-Signature=[REDACTED]');
    expect(r.apply('upload_url', 'https://b/k?X-Amz-Security-Token=T&x=1')).toBe('https://b/k?X-Amz-Security-Token=[REDACTED]');
  });

  it('a password holding `#`, `?`, `/` or `@` unencoded is masked whole, to the last `@` (an `@` then `/`, `?` or `#` is read as WHATWG reads it); an `@` after a host with no credentials is kept', () => {
    expect(r.apply('redis_url', 'redis://:s3cr#t@cache:6379/0')).toBe('redis://REDACTED:REDACTED@cache:6379/0');
    expect(r.apply('mongo_uri', 'mongodb://u:pa?ss@h/db')).toBe('mongodb://REDACTED:REDACTED@h/db');
    expect(r.apply('url.full', 'https://user:pa#ss@h/x')).toBe('https://REDACTED:REDACTED@h/x');
    expect(r.apply('database_url', 'postgres://admin:p@ss@w0rd@db.example.com/app')).toBe('postgres://REDACTED:REDACTED@db.example.com/app');
    // `@` and then `/`: every URL parser reads host `ss` and a path, and so does the redactor.
    expect(r.apply('database_url', 'postgres://admin:p@ss/w0rd@db.example.com/app')).toBe('postgres://REDACTED:REDACTED@ss/w0rd@db.example.com/app');
    expect(r.apply('database_url', 'postgres://admin:pa#ss?w0rd@db.example.com/app')).toBe('postgres://REDACTED:REDACTED@db.example.com/app');
    expect(r.apply('url.full', 'https://:1234#x@h/')).toBe('https://REDACTED:REDACTED@h/');
    // A host, port or host list with no `@`: what follows is path, query or fragment.
    for (const v of ['https://h/path?email=a@b.c', 'https://h:8443/p#a@b', 'http://localhost:5173/@vite/client', 'mongodb://h1:1,h2:2/db?x=a@b', 'http://[::1]:80/@x', 'file:///tmp/a@b']) {
      expect(r.apply('url.full', v)).toBe(v);
      expect(r.apply('database_url', v)).toBe(v);
    }
    // Credentials and a later `@`: the userinfo ends at the authority's last `@` (WHATWG URL).
    expect(r.redactUrl('https://u:p@h/x?email=a@b.c')).toBe('https://REDACTED:REDACTED@h/x?email=a@b.c');
  });

  it('a connection-string name numbered (db_url2, REDIS_URL_1) is one too: its credentials were exported whole', () => {
    expect(r.apply('db_url2', 'postgres://admin:pw@db/app')).toBe('postgres://REDACTED:REDACTED@db/app');
    expect(r.apply('REDIS_URL_1', 'redis://:pw@cache:6379')).toBe('redis://REDACTED:REDACTED@cache:6379');
  });

  it('finds credentials only in the authority, after a scheme or at the start', () => {
    expect(r.redactUrl('jdbc:mysql://u:p@h:3306/db')).toBe('jdbc:mysql://REDACTED:REDACTED@h:3306/db');
    expect(r.redactUrl('https://u@a:p@h/x')).toBe('https://REDACTED:REDACTED@h/x');
    expect(r.redactUrl('a/b://u:p@h')).toBe('a/b://u:p@h');
    expect(r.redactUrl('mailto:ann@example.com')).toBe('mailto:ann@example.com');
  });

  // No clock here: a quadratic scan of 200,000 characters takes about 40 s (30,000 took 0.9 s),
  // so it fails on the test's 5 s timeout, while a linear one takes milliseconds.
  it('scans a long value in linear time', { timeout: 5000 }, () => {
    const v = 'a'.repeat(200_000) + '/x=1';
    expect(r.apply('db.connection_string', v)).toBe(v);
    expect(r.apply('db.connection_string', v + ';password=p')).toBe(v + ';password=[REDACTED]');
  });

  it('the same scrubbing applies to log fields and nested values', () => {
    expect(redactDeep({ config: { database_url: 'postgres://u:p@h/db', db_password: 'x', port: 5432 } }, r)).toEqual({
      config: { database_url: 'postgres://REDACTED:REDACTED@h/db', db_password: '[REDACTED]', port: 5432 },
    });
  });
});

describe('URLs inside exception text', () => {
  // Deno's fetch writes the URL into its error ("error sending request for url (…)"), as ky and
  // ofetch do: url.full had the token masked while the exception event beside it carried it whole.
  const message = 'error sending request for url (https://api.example/v1/items?token=SECRET_TOKEN&page=2): client error (Connect): connection refused';

  it('exception.message and exception.stacktrace have the URLs they quote masked as url.full is', () => {
    expect(r.apply('exception.message', message)).toBe(`error sending request for url (https://api.example/v1/items?token=${M}&page=2): client error (Connect): connection refused`);
    const stack = `TypeError: ${message}\n    at async mainFetch (ext:deno_fetch/26_fetch.js:182:11)\n    at async file:///app/main.ts:3:7`;
    const out = r.apply('exception.stacktrace', stack) as string;
    expect(out).not.toContain('SECRET_TOKEN');
    expect(out).toContain('at async file:///app/main.ts:3:7');
    expect(r.apply('exception.message', 'connect failed: postgres://admin:SECRET_PW@db:5432/app, retrying.')).toBe('connect failed: postgres://REDACTED:REDACTED@db:5432/app, retrying.');
    expect(r.apply('exception.message', '[GET] "https://h/cb#access_token=SECRET_FRAG": 401 Unauthorized')).toBe(`[GET] "https://h/cb#access_token=${M}": 401 Unauthorized`);
    expect(r.mayRedact('exception.message')).toBe(true);
  });

  it('leaves text without URL secrets as it is (the same string), also stack URLs with @ in their path', () => {
    for (const text of ['boom', 'token=abc is not a URL', 'failed at https://deno.land/std@0.200.0/http/server.ts:10:5 (see https://h/docs?page=2).']) {
      expect(r.apply('exception.message', text)).toBe(text);
    }
  });

  it('scans a long run of scheme characters in linear time', { timeout: 5000 }, () => {
    const v = 'a.'.repeat(200_000) + '://h/?token=x';
    expect(r.apply('exception.message', v)).not.toContain('token=x');
    const closers = 'see https://h/?token=x' + ')'.repeat(200_000) + 'a';
    expect(r.apply('exception.message', closers)).not.toContain('token=x');
  });

  it('a span exception event keeps no URL secret the span masked elsewhere', async () => {
    const { createTestMonitor } = await import('../testing/index.js');
    const { monitor, memory } = createTestMonitor();
    const span = monitor.tracer.startSpan('GET');
    span.setAttribute('url.full', 'https://api.example/v1/items?token=SECRET_TOKEN');
    span.recordException(new TypeError(message));
    span.end();
    await monitor.flush();
    const event = memory.spans[0]!.events[0]!;
    expect(memory.spans[0]!.attributes['url.full']).toBe(`https://api.example/v1/items?token=${M}`);
    expect(JSON.stringify(event.attributes)).not.toContain('SECRET_TOKEN');
    expect(event.attributes['exception.message']).toContain(`?token=${M}&page=2)`);
  });


  it("a failed instrumented fetch keeps its URL's secrets out of the exception event", async () => {
    const { createTestMonitor } = await import('../testing/index.js');
    const { instrumentFetch } = await import('../http/index.js');
    const { monitor, memory } = createTestMonitor();
    const url = 'https://api.example/v1/items?token=SECRET_TOKEN&page=2';
    const fetchFn = instrumentFetch(monitor, () => Promise.reject(new TypeError(`error sending request for url (${url}): client error (Connect)`)));
    await monitor.tracer.startActiveSpan('job', async (span) => {
      await fetchFn(url).catch(() => {});
      span.end();
    });
    await monitor.flush();
    const client = memory.spans.find((s) => s.name === 'GET')!;
    expect(client.attributes['url.full']).toBe(`https://api.example/v1/items?token=${M}&page=2`);
    expect(JSON.stringify(client.events)).not.toContain('SECRET_TOKEN');
  });
});

describe('the key= URL parameter (Google API keys)', () => {
  it('is masked in url.full and url.query as it is in a URL under a name of its own', () => {
    const gemini = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=AIzaSECRET';
    expect(r.apply('url.full', gemini)).toBe(`https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=${M}`);
    expect(r.apply('url.query', 'address=Paris&key=AIzaSECRET')).toBe(`address=Paris&key=${M}`);
    // As an attribute name `key` stays a lookup key; without the defaults the parameter is kept.
    expect(r.isSecret('key')).toBe(false);
    expect(createRedactor([]).apply('url.full', gemini)).toBe(gemini);
  });
});

describe('createRedactor(fields, builtins)', () => {
  it('builtins: true masks the signed-URL and connection-string names with an empty list too', () => {
    const only = createRedactor([], true);
    expect(only.apply('url.full', 'https://b/k?X-Amz-Signature=SIG&a=1')).toBe(`https://b/k?X-Amz-Signature=${M}&a=1`);
    expect(only.apply('db.connection_string', 'Server=h;Pwd=PW;x=1')).toBe('Server=h;Pwd=[REDACTED]');
    expect(only.isSecret('password')).toBe(false);
  });
});

describe('credentials in less usual places', () => {
  const u = 'postgres://bob:pw1@db/app';
  const masked = 'postgres://REDACTED:REDACTED@db/app';

  it('a list inside a list keeps the name of the entry holding it (log values, objects written as text)', () => {
    expect(redactEntry('database_url', [[u], u], r, 1)).toEqual([[masked], masked]);
    expect(redactDeep({ database_url: [[[u]]], 'url.full': [['https://u:p@h/?token=T']] }, r)).toEqual({ database_url: [[[masked]]], 'url.full': [['https://REDACTED:REDACTED@h/?token=REDACTED']] });
    expect(describeValue({ database_url: [[u]], other: [[u]] }, r)).toBe(JSON.stringify({ database_url: [[masked]], other: [[u]] }));
    expect(describeValue({ database_url: new Set([[u]]) }, r)).toBe(JSON.stringify({ database_url: [[masked]] }));
    // A list under a name that is no secret nor URL is left as it is.
    expect(redactEntry('tags', [['a@b']], r, 1)).toEqual([['a@b']]);
  });

  it('a scheme-relative URL quoted in an error message loses its credentials, as in url.full', () => {
    expect(r.apply('exception.message', 'GET //bob:pw1@api.example.com/x?token=T failed')).toBe('GET //REDACTED:REDACTED@api.example.com/x?token=REDACTED failed');
    expect(r.apply('exception.message', 'see // a comment, 1 // 2')).toBe('see // a comment, 1 // 2');
  });

  it("a connection string's percent-encoded pair name is read as libpq reads it", () => {
    expect(r.apply('database_url', 'postgres://db/app?user=u&pass%77ord=pw1&x=1')).toBe(`postgres://db/app?user=u&pass%77ord=${REDACTED}`);
    expect(r.apply('database_url', 'postgres://db/app?%zz=1')).toBe('postgres://db/app?%zz=1');
  });
});
