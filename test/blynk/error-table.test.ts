import { strict as assert } from 'node:assert';
import { BlynkError, codeForStatus, ERROR_CODES, ERROR_TABLE, failureStatusOf, tokenStateOf } from '../../dist/blynk';

describe('error table', () => {
  it('lists each code once, with its catalogue key spelled after the code', () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      assert.equal(ERROR_TABLE[code].key, code.toLowerCase().replace(/_/g, '-'), code);
      assert.equal(new BlynkError(code).messageKey, ERROR_TABLE[code].key);
    }
  });

  it('maps HTTP statuses to codes by their class', () => {
    const cases: [number, string][] = [
      [400, 'BAD_REQUEST'],
      [401, 'UNAUTHORIZED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [500, 'SERVER_ERROR'],
      [503, 'SERVER_ERROR'],
      [409, 'HTTP_ERROR'],
      [302, 'HTTP_ERROR'],
    ];
    for (const [status, code] of cases) assert.equal(codeForStatus(status), code, String(status));
  });

  it('reads a 5xx from the token endpoint as an outage, not as refused credentials', () => {
    assert.equal(tokenStateOf('TOKEN_REJECTED', 400), 'auth-failed');
    assert.equal(tokenStateOf('TOKEN_REJECTED', 502), 'error');
    assert.equal(failureStatusOf('TOKEN_REJECTED', 400), 'auth-failed');
    assert.equal(failureStatusOf('TOKEN_REJECTED', 502), 'error');
  });
});
