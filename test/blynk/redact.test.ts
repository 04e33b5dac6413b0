import assert from 'node:assert/strict';
import { authorizationSecrets, basicAuth, SecretSet } from '../../dist/blynk';

describe('redact: no secret the connection knows leaves in server text', function () {
  it('replaces each form a secret can come back in: as sent, percent-encoded, form-encoded, JSON-escaped', () => {
    const set = new SecretSet();
    const secret = 'p@ss w"rd/1';
    set.add(secret);
    for (const form of [secret, encodeURIComponent(secret), 'p%40ss+w%22rd%2F1', JSON.stringify(secret).slice(1, -1)]) {
      assert.equal(set.redact(`x ${form} y`), 'x [redacted] y', form);
    }
    assert.equal(set.redact('nothing secret here'), 'nothing secret here');
  });

  it('takes the longest form first, so no part of a longer secret stays behind', () => {
    const set = new SecretSet();
    set.add('abc', 'id:abc');
    assert.equal(set.redact('pair id:abc and abc'), 'pair [redacted] and [redacted]');
  });

  it('reads every credential out of an Authorization header: Bearer, and Basic as sent, decoded and form-decoded', () => {
    const header = basicAuth('client id', 'sec ret+');
    const forms = authorizationSecrets(header);
    assert.deepEqual(forms, [header, header.slice(6), 'client+id:sec+ret%2B', 'sec+ret%2B', 'sec ret+']);
    assert.deepEqual(authorizationSecrets('Bearer tok-1'), ['Bearer tok-1', 'tok-1']);
    assert.deepEqual(authorizationSecrets(undefined), []);
    const set = new SecretSet();
    assert.equal(set.redact(`echo ${header} and sec ret+`, forms), 'echo [redacted] and [redacted]');
  });

  it('walks answers deep, keys included, and leaves the named top-level fields of a token answer alone', () => {
    const set = new SecretSet();
    set.add('s3cret-value');
    const data = { error: { message: 'got s3cret-value' }, list: ['a', 's3cret-value'], 's3cret-value': 1, n: 5 };
    assert.deepEqual(set.redactData(data), { error: { message: 'got [redacted]' }, list: ['a', '[redacted]'], '[redacted]': 1, n: 5 });
    set.remember('refresh-1-xyz');
    const answer = { access_token: 'new-access', refresh_token: 'refresh-1-xyz', note: 'refresh-1-xyz' };
    assert.deepEqual(set.redactData(answer, [], new Set(['access_token', 'refresh_token'])), {
      access_token: 'new-access',
      refresh_token: 'refresh-1-xyz',
      note: '[redacted]',
    });
  });

  it('tells from the text as it came whether an answer needs a walk; JSON escapes that could hide a secret always do', () => {
    const set = new SecretSet();
    set.add('s3cret-value');
    assert.equal(set.appearsIn('{"message":"nothing here"}'), false);
    assert.equal(set.appearsIn('{"message":"got s3cret-value"}'), true);
    assert.equal(set.appearsIn('{"message":"got \\u0073\\u0033cret-value"}'), true);
    assert.equal(set.appearsIn({ parsed: true }), true);
    assert.equal(set.appearsIn('{"device":"token-of-this-request"}', ['token-of-this-request']), true);
    assert.equal(new SecretSet().appearsIn('anything'), false);
  });

  it('remembers only the latest 16 tokens besides the credentials, and forgets all on clear', () => {
    const set = new SecretSet();
    set.add('credential-1');
    for (let i = 0; i < 20; i++) set.remember(`token-${String(i).padStart(2, '0')}`);
    assert.equal(set.redact('token-00 token-03 token-04 token-19 credential-1'), 'token-00 token-03 [redacted] [redacted] [redacted]');
    set.clear();
    assert.equal(set.redact('token-19 credential-1'), 'token-19 credential-1');
  });
});
