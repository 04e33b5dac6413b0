/**
 * The package's programmatic API: a Blynk cloud client with managed OAuth2 tokens, for code that
 * runs beside the nodes. Everything else under dist/ is internal to the nodes and may change.
 */
export { BlynkClient } from './blynk/client';
export type { ApiResult, BlynkClientOptions, Caller } from './blynk/client';
export {
  deviceLogEvent,
  deviceProperty,
  deviceRead,
  deviceUpdate,
  getDevice,
  organizationProfile,
  triggerEvent,
  writeDatastream,
} from './blynk/endpoints';
export type { ApiCall, DeviceReadMode } from './blynk/endpoints';
export { callAllPages, platformCall } from './blynk/platform-call';
export type { PagedResult } from './blynk/platform-call';
export { BlynkError } from './blynk/errors';
export type { BlynkErrorCode, BlynkErrorDetails } from './blynk/errors';
export { ERROR_CODES } from './blynk/error-table';
export type { TokenState } from './blynk/error-table';
export type { GrantType, OAuthCredentials } from './blynk/grants';
