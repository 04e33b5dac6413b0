/** Bad inputs from the issue, shared by the node tests. Each must be refused before any request. */

/** Not a positive integer (the last ones: not an int32, a float in a string, blanks). */
export const BAD_DEVICE_IDS: unknown[] = [0, -1, 1.5, 'abc', '', undefined, null, {}, true, '1.5', ' ', 2 ** 31, '-3', [101]];

/** Not an integer ≥ 0. */
export const BAD_DATASTREAM_IDS: unknown[] = [1.5, -1, 'abc', '', undefined, null, {}, true, '2.0x'];

/** Outside V0–V255 or not a virtual pin. */
export const BAD_PINS: unknown[] = ['V256', 'X1', '1', 'v-1', 'V', '', undefined, null, 1, 'V1.5', 'A0'];

/** Neither string, number, boolean nor [lon, lat]. (`{}` is a batch: see EMPTY_BATCH.) */
export const BAD_VALUES: unknown[] = [null, [1], [1, 2, 3], ['a', 'b'], NaN, Infinity, -Infinity, undefined, [NaN, 1], new Date(0)];

/** Breaks Blynk's event code rules: at most 50 letters, digits, spaces or underscores. */
export const BAD_EVENT_CODES: unknown[] = ['a'.repeat(51), 'bad-code!', '', undefined, null, 42, 'é_code'];

/** The code and message key a bad input is refused with: a value left unset names its property instead. */
export function refusal(value: unknown, code: string, key: string): [string, string] {
  return value === undefined || value === null || value === '' ? ['INPUT_NOT_SET', 'input-not-set'] : [code, key];
}
