import { isRecord } from './validate';

/**
 * Blynk's device objects carry the device's auth token (`token`): a secret with which anyone can
 * write to the device. No node puts a token on a msg (debug output, context and logs would keep
 * it), so device answers leave without it: a device object (an `id` and a string `token`), a list
 * of them, or a page of them (`content`). A device's token is shown in Blynk.Console.
 */
export function withoutDeviceTokens(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutToken);
  if (isRecord(data) && Array.isArray(data.content)) return { ...data, content: data.content.map(withoutToken) };
  return withoutToken(data);
}

function withoutToken(value: unknown): unknown {
  if (!isRecord(value) || typeof value.token !== 'string' || !('id' in value)) return value;
  const { token: _token, ...device } = value;
  return device;
}
