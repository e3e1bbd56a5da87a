import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_FIELDS, redactDeep } from './redact.js';

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

  it('keeps what it masked before: query parameters and bare query strings', () => {
    expect(r.redactUrl('https://x/?password=p3&q=1')).toBe(`https://x/?password=${M}&q=1`);
    expect(r.redactUrl('token=t&q=1')).toBe(`token=${M}&q=1`);
    const same = 'https://x/p?q=1';
    expect(r.redactUrl(same)).toBe(same);
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
  it('splits at non-alphanumerics and camelCase humps, and a secret word anywhere in the name counts', () => {
    for (const n of ['Session-Token', 'X-Session-Token', 'session_token', 'password_hash', 'db_password', 'DB_PASSWORD', 'user.password', 'clientSecret', 'oauth.client_secret.value', 'x-auth-token', 'X-CSRF-Token', 'refreshTokenValue', 'IDToken', 'passwd_file_contents']) {
      expect(r.isSecret(n), n).toBe(true);
    }
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

  it('secret query and fragment parameters are matched by words too', () => {
    expect(r.redactUrl('https://x/?stripeApiKey=K&max_tokens=5')).toBe(`https://x/?stripeApiKey=${M}&max_tokens=5`);
    expect(r.apply('url.full', 'https://x/cb#session_token=S&session.id=1')).toBe(`https://x/cb#session_token=${M}&session.id=1`);
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
