import { strict as assert } from 'node:assert';
import { RefreshTokenSlot } from '../../dist/blynk/refresh-token';

describe('refresh token slot', () => {
  it('gives its token out once, and only to the path it came for', () => {
    const slot = new RefreshTokenSlot();
    slot.hold('rt-sign-in', true);
    assert.equal(slot.take(false), undefined, "a stored sign-in is not the session's to spend");
    assert.equal(slot.held, true);
    assert.equal(slot.take(true), 'rt-sign-in');
    assert.equal(slot.take(true), undefined, 'taken twice');
    assert.equal(slot.held, false);
  });

  it('holds one token: a new one replaces the old, an empty one clears it', () => {
    const slot = new RefreshTokenSlot();
    slot.hold('rt-1', false);
    slot.hold('rt-2', false);
    assert.equal(slot.take(false), 'rt-2');
    slot.hold('rt-3', true);
    slot.hold('', false);
    assert.equal(slot.held, false);
  });
});
