// Platform API "Uploads" (docs.blynk.io/en/blynk.cloud/platform-https-api/uploads): a firmware file
// as multipart/form-data, the file in `upfile` and `type=FIRMWARE`, Bearer token, at most 10 MB.
// The page's answer schema could not be read in full; the answer's shape `{path, firmwareInfo}`
// and its field names follow a client's fixture captured from a live server (anthony-blynk/blynk-cli,
// internal/api/uploads_test.go), a second reading.
import { createHash } from 'node:crypto';
import { apiError, json, parseMultipart, type FormPart, type Handler, type SimRequest } from './http';
import type { RateLimiter } from './limits';
import type { TokenStore } from './oauth';
import { bearerAuth } from './platform-api';
import type { Store } from './store';

interface Deps {
  store: Store;
  tokens: TokenStore;
  limiter: RateLimiter;
}

/** "The maximum file size is 10 MB." */
export const FIRMWARE_MAX = 10 * 1024 * 1024;
/** The extensions the page lists for `FIRMWARE`, longest first. */
const EXTENSIONS = ['.ota.bin.gz', '.tar.gz', '.bin.gz', '.bin.hs', '.yaml', '.bin', '.zip', '.tar', '.bz2', '.yml', '.gz', '.hs', '.xz'];
/** The tag Blynk reads firmware metadata from (device-mqtt-api/ota, "Blynk binary info tag"). */
const TAG = Buffer.from('blnkinf\0', 'latin1');
/** Tag keys (the OTA page) as the answer names them. */
const TAG_FIELDS: Record<string, string> = { mcu: 'version', 'fw-type': 'fwType', build: 'buildDate', blynk: 'blynkVersion' };

/** The key-value pairs of a Blynk binary info tag (`k\0v\0…\0`), when the file has one. */
function tagOf(data: Buffer): Record<string, string> {
  const at = data.indexOf(TAG);
  const out: Record<string, string> = {};
  if (at < 0) return out;
  const words = data
    .subarray(at + TAG.length, at + TAG.length + 1024)
    .toString('latin1')
    .split('\0');
  for (let i = 0; i + 1 < words.length && words[i] !== ''; i += 2) {
    const field = TAG_FIELDS[words[i]];
    if (field) out[field] = words[i + 1];
  }
  return out;
}

function firmwareInfo(file: FormPart): Record<string, unknown> {
  return {
    ...tagOf(file.data),
    md5Hash: createHash('md5').update(file.data).digest('hex').toUpperCase(),
    sha256Hash: createHash('sha256').update(file.data).digest('base64'),
    type: 'MCU',
    fileSize: file.data.length,
  };
}

export function uploadRoutes({ store, tokens, limiter }: Deps): Record<string, Handler> {
  const authed = bearerAuth(tokens, limiter, store.demo.org.id);
  let serial = 0;
  return {
    'POST /api/upload': authed((req: SimRequest) => {
      const parts = parseMultipart(req.bytes, req.headers['content-type']);
      const file = parts?.find((p) => p.name === 'upfile' && p.filename);
      const uploadType = parts?.find((p) => p.name === 'type' && p.filename === undefined)?.data.toString('utf8');
      // The failures below have no documented answer: each is a 400 with Blynk's error body.
      if (!file?.filename) return apiError(400, 'No file to upload.');
      if (uploadType !== 'FIRMWARE') return apiError(400, 'Unsupported upload type.');
      const name = file.filename.toLowerCase();
      const ext = EXTENSIONS.find((e) => name.endsWith(e));
      if (!ext) return apiError(400, 'Unsupported file extension.');
      if (file.data.length > FIRMWARE_MAX) return apiError(413, 'File is too large.');
      const info = firmwareInfo(file);
      const path = `/static/fw_${Date.now()}_${++serial}${ext}`;
      store.firmware.push({
        name: file.filename,
        size: file.data.length,
        uploadType,
        ...(file.type ? { contentType: file.type } : {}),
        path,
        md5: info.md5Hash as string,
        at: Date.now(),
      });
      return json(200, { path, firmwareInfo: info });
    }),
  };
}
