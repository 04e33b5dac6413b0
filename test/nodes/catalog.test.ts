import assert from 'node:assert/strict';
import path from 'node:path';
import { NodeAPI } from 'node-red';
import { BlynkError, BlynkErrorCode, ERROR_CODES } from '../../dist/blynk';
import { failureStatus, localize, statusKey } from '../../dist/nodes/lib/i18n';
import { errorKey, statusText } from '../support/harness';

/**
 * In the test helper `RED._` is the identity, so flow tests see keys only. Here the keys the runtime
 * builds are resolved by Node-RED's own i18n against the built catalogue, as the real loader
 * registers it (namespace `<module>/<file>`, `<dir of js>/locales/<lang>/<file>.json`).
 */

const DIST = path.resolve(__dirname, '../../dist');
const NAMESPACE = 'node-red-contrib-blynk-cloud/blynk-cloud-config';

interface I18n {
  init(settings: object): Promise<void>;
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  _(key: string, params?: Record<string, unknown>): string;
}

/** Every error code, from the error table (which the compiler holds to the BlynkErrorCode union). */
function errorCodes(): readonly BlynkErrorCode[] {
  assert.ok(ERROR_CODES.length > 20, `only ${ERROR_CODES.length} codes found`);
  return ERROR_CODES;
}

describe('runtime message catalogue', function () {
  let i18n: I18n;
  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    i18n = (require('@node-red/util') as { i18n: I18n }).i18n;
    await i18n.init({});
    await i18n.registerMessageCatalog(NAMESPACE, path.join(DIST, 'nodes/locales'), 'blynk-cloud-config.json');
  });

  const resolves = (key: string): void => {
    const text = i18n._(key);
    assert.notEqual(text, key, `${key} does not resolve`);
    assert.ok(!text.startsWith(key.split(':')[1] ?? key), `${key} does not resolve: ${text}`);
  };

  it('resolves the keys the tests expect (the form used by errorKey/statusText)', () => {
    resolves(errorKey('invalid-device-id'));
    resolves(statusText('requesting'));
  });

  it('has a message for every error code, with its details substituted', () => {
    const RED = { _: (key: string, params?: Record<string, unknown>) => i18n._(key, params) } as unknown as NodeAPI;
    for (const code of errorCodes()) {
      const error = new BlynkError(code, {
        status: 418,
        detail: 'DETAIL',
        value: 'VALUE',
        retryAfter: 7,
        length: 2000,
        host: 'HOST',
        server: 'SERVER',
        location: 'LOCATION',
        timeout: 99,
      });
      const localized = localize(RED, error);
      assert.equal(localized.code, code);
      assert.ok(!localized.message.includes(`errors.${error.messageKey}`), `${code}: no message (${localized.message})`);
      assert.ok(!/__\w+__/.test(localized.message), `${code}: placeholder left in ${localized.message}`);
      assert.equal(String(localized), localized.message, `${code}: Node-RED would show "${String(localized)}"`);
    }
  });

  it('says after a 404 what to check in the node that got it', () => {
    const RED = { _: (key: string, params?: Record<string, unknown>) => i18n._(key, params) } as unknown as NodeAPI;
    const notFound = new BlynkError('NOT_FOUND', { status: 404, detail: 'Device not found.' });
    const said = (type: string, api: 'platform' | 'device'): string => localize(RED, notFound, { type, api }).message;
    const check = 'Blynk answered 404 Not Found (Device not found). Check ';
    assert.equal(
      said('blynk-cloud-get-device', 'platform'),
      `${check}the device id (the number in the device's Device info in Blynk.Console) and that the device belongs to this organisation.`,
    );
    assert.match(
      said('blynk-cloud-write-datastream', 'platform'),
      /^Blynk answered 404 Not Found \(Device not found\)\. Check the device id and the datastream id: the number in the template's Datastreams tab, not the pin/,
    );
    assert.match(
      said('blynk-cloud-log-event', 'platform'),
      /Check the device id and the event code: the code in the template's Events tab/,
    );
    assert.match(said('blynk-cloud-api', 'platform'), /Check the path and the ids in it against Blynk's Platform API reference/);
    for (const type of [
      'blynk-cloud-device-update',
      'blynk-cloud-device-read',
      'blynk-cloud-device-event',
      'blynk-cloud-device-property',
    ]) {
      assert.match(said(type, 'device'), /Check the connection's server: Blynk's Device HTTPS API is served by the device's region/, type);
    }
    assert.equal(
      localize(RED, notFound).message,
      `${check}the device id, datastream id or event code, and that the device belongs to this organisation.`,
    );
  });

  it('names the device name and the count when a name fits no device or several', () => {
    const RED = { _: (key: string, params?: Record<string, unknown>) => i18n._(key, params) } as unknown as NodeAPI;
    assert.equal(
      localize(RED, new BlynkError('DEVICE_NAME_AMBIGUOUS', { value: '"Pump"', length: 3 })).message,
      '3 devices are named "Pump", so the name does not say which one. Give each device its own name in Blynk.Console, or give the device by its id.',
    );
    assert.match(
      localize(RED, new BlynkError('DEVICE_NAME_NOT_FOUND', { value: '"Pump"', length: 7 })).message,
      /^No device is named "Pump": Blynk's device search found 7 devices for it, none with exactly this name/,
    );
  });

  it('has a status text for every failure and every token state', () => {
    const keys = new Set<string>(errorCodes().map((code) => failureStatus(new BlynkError(code))));
    for (const state of ['requesting', 'connecting', 'ok', 'auth-failed', 'rate-limited', 'error']) keys.add(statusKey(state));
    for (const key of keys) resolves(key);
  });
});
