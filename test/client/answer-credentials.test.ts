// Credentials are taken out of Blynk's answers at any depth; everything else stays as it came,
// in its order, and an answer without any is passed on as the same object.
import { strict as assert } from 'node:assert';
import { withoutCredentials } from '../../dist/blynk';

describe('withoutCredentials', () => {
  it('takes every credential field out, at any depth, keeping the other fields in their order', () => {
    const answer = {
      id: 7,
      token: 'device-auth-token',
      name: 'Pump',
      owner: { email: 'a@example.com', password: 'pw', roles: [{ id: 1, secret: 's' }] },
      list: [1, { deviceToken: 'dt', claimed: true }, 'text'],
      tail: null,
    };
    const out = withoutCredentials(answer) as Record<string, unknown>;
    assert.deepEqual(out, {
      id: 7,
      name: 'Pump',
      owner: { email: 'a@example.com', roles: [{ id: 1 }] },
      list: [1, { claimed: true }, 'text'],
      tail: null,
    });
    assert.deepEqual(Object.keys(out), ['id', 'name', 'owner', 'list', 'tail']);
    // The answer itself is not changed: the msg of another node may hold it.
    assert.equal(answer.token, 'device-auth-token');
    assert.equal(answer.list[1] && (answer.list[1] as { deviceToken: string }).deviceToken, 'dt');
  });

  it('passes an answer without credentials on as the same objects', () => {
    const untouched = { a: 1, b: [{ c: 'x' }, 2], d: { e: false } };
    const mixed = { keep: untouched, drop: [{ access_token: 't' }] };
    const out = withoutCredentials(mixed) as typeof mixed;
    assert.equal(withoutCredentials(untouched), untouched);
    assert.equal(out.keep, untouched);
    assert.notEqual(out, mixed);
    assert.deepEqual(out.drop, [{}]);
    for (const value of ['text', 42, true, null, undefined]) assert.equal(withoutCredentials(value), value);
  });

  it('takes out credentials in the first and last place of an array and an object', () => {
    assert.deepEqual(withoutCredentials([{ token: 'a' }, 1, { refreshToken: 'b' }]), [{}, 1, {}]);
    assert.deepEqual(withoutCredentials({ clientSecret: 'a', x: 1, refresh_token: 'b' }), { x: 1 });
  });
});
