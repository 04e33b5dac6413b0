// Platform API "Shipments" (docs.blynk.io/en/blynk.cloud/platform-https-api/shipments): Blynk.Air OTA
// shipments, with state. The page's Shipment fields up to `isSecure` are read (contract/shipments.json);
// the rest was not readable there. A second reading fills what the simulator needs: a client's
// fixture captured from a live server (anthony-blynk/blynk-cli, internal/api/shipments.go and
// shipments_test.go) gives `status` (RUN, PAUSE, FINISH, CANCEL), `shipmentProgress` (how many of
// the shipment's devices are in each status, with `updatedAt`), `firmwareInfo`, the create body
// (productId, title, pathToFirmware, firmwareOriginalFileName, firmwareInfo, deviceIds,
// shipmentTime, host, skipFwTypeCheck, compareField), that stop and create answer with the
// shipment, that only RUN or PAUSE shipments can be stopped and only FINISH or CANCEL ones deleted.
// The device statuses and their order are the Console's (blynk.console/blynk.air/device-shipment-statuses.md).
// Answers to bad requests are undocumented: Blynk's error body with 400 or 404.
import { apiError, first, json, noContent, toId, type Handler, type Reply, type SimRequest } from './http';
import type { Store } from './store';
import type { DeviceState } from './types';

/** Progress counters in the order a device goes through them (the Console's statuses). */
export const SHIPMENT_PROGRESS_KEYS = [
  'started',
  'requestSent',
  'firmwareRequested',
  'firmwareUploaded',
  'firmwareUploadedToMobile',
  'success',
  'uploadFailure',
  'firmwareTypeMismatch',
  'downloadLimitReached',
  'rollback',
  'firmwareVersionMismatch',
] as const;

export type ShipmentDeviceStatus = (typeof SHIPMENT_PROGRESS_KEYS)[number];
export type ShipmentStatus = 'RUN' | 'PAUSE' | 'FINISH' | 'CANCEL';

/** A device's way through a delivery that works: started, request sent, firmware requested, downloaded, success. */
const DELIVERY: readonly ShipmentDeviceStatus[] = ['started', 'requestSent', 'firmwareRequested', 'firmwareUploaded', 'success'];
const TERMINAL: ReadonlySet<ShipmentDeviceStatus> = new Set([
  'success',
  'uploadFailure',
  'firmwareTypeMismatch',
  'downloadLimitReached',
  'rollback',
  'firmwareVersionMismatch',
]);
const SHIPMENT_TIMES = ['ANY', 'NIGHT', 'MORNING', 'AFTERNOON', 'EVENING'];
const COMPARE_FIELDS = ['NO_CONDITION', 'BUILD_DATE_DIFFERS', 'EARLIER_BUILD_DATE', 'LATEST_FIRMWARE_VERSION', 'LATEST_BLYNK_VERSION'];

/** How long a simulated device stays in each status (a real one takes as long as its download and reboot). */
export const SHIPMENT_STEP_MS = 1000;

interface DeviceProgress {
  /** Undefined until the device is online: Blynk starts a device's delivery when it is. */
  status?: ShipmentDeviceStatus;
  /** When it entered `status` (ms), or when it was last seen offline. */
  at: number;
}

export interface SimShipment {
  id: number;
  productId: number;
  productName: string;
  title: string;
  status: ShipmentStatus;
  shipmentTime: string;
  pathToFirmware: string;
  firmwareOriginalFileName: string;
  host?: string;
  startedByUserId: number;
  startedAt: number;
  finishedAt: number;
  deviceIds: number[];
  firmwareInfo?: Record<string, unknown>;
  attemptsLimit: number;
  attemptResetPeriodMs: number;
  isSecure: boolean;
  skipFwTypeCheck: boolean;
  isCritical: boolean;
  sendPush: boolean;
  compareField: string;
  /** Each device's delivery, by device id. */
  devices: Map<number, DeviceProgress>;
  updatedAt: number;
}

/** An uploaded firmware file, as the upload route keeps it (when the simulator has one). */
export interface KnownFirmware {
  name: string;
  firmwareInfo?: Record<string, unknown>;
}

export interface ShipmentsDeps {
  store: Store;
  /** Bearer check and rate limit, as the other Platform routes. */
  authed(handler: (req: SimRequest) => Reply): Handler;
  /** The upload at `path`, if the simulator has it (its name is the shipment's default file name). */
  firmware?(path: string): KnownFirmware | undefined;
}

/** The shipments of one simulator: created, advanced by the clock when read, stopped, deleted. */
export class Shipments {
  stepMs = SHIPMENT_STEP_MS;
  private readonly byId = new Map<number, SimShipment>();
  private serial = 0;

  constructor(private readonly store: Store) {}

  /** Every shipment, advanced to now. */
  list(now = Date.now()): SimShipment[] {
    return [...this.byId.values()].map((s) => this.advance(s, now));
  }

  get(id: number, now = Date.now()): SimShipment | undefined {
    const s = this.byId.get(id);
    return s && this.advance(s, now);
  }

  add(fields: Omit<SimShipment, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'devices' | 'updatedAt'>, now = Date.now()): SimShipment {
    const devices = new Map<number, DeviceProgress>();
    for (const id of fields.deviceIds) {
      const online = this.store.device(id)?.connected === true;
      devices.set(id, online ? { status: 'started', at: now } : { at: now });
    }
    const s: SimShipment = { ...fields, id: ++this.serial, status: 'RUN', startedAt: now, finishedAt: 0, devices, updatedAt: now };
    this.byId.set(s.id, s);
    return s;
  }

  /** RUN or PAUSE → CANCEL; false for a shipment that has ended. */
  stop(id: number, now = Date.now()): boolean {
    const s = this.get(id, now);
    if (!s || (s.status !== 'RUN' && s.status !== 'PAUSE')) return false;
    s.status = 'CANCEL';
    s.finishedAt = now;
    s.updatedAt = now;
    return true;
  }

  delete(id: number): void {
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
    this.serial = 0;
  }

  /** Moves each online device of a running shipment on by the time passed; FINISH once all are done. */
  private advance(s: SimShipment, now: number): SimShipment {
    if (s.status !== 'RUN') return s;
    let last = 0;
    for (const [id, d] of s.devices) {
      const device = this.store.device(id);
      if (d.status !== undefined && TERMINAL.has(d.status)) {
        last = Math.max(last, d.at);
        continue;
      }
      if (!device?.connected) {
        d.at = now; // waits for the device, and carries on from when it is back
        continue;
      }
      if (d.status === undefined) d.status = 'started';
      while (!TERMINAL.has(d.status) && now - d.at >= this.stepMs) {
        d.status = nextStatus(d.status, s, device);
        d.at += this.stepMs;
        s.updatedAt = Math.max(s.updatedAt, d.at);
      }
    }
    const done = [...s.devices.values()].every((d) => d.status !== undefined && TERMINAL.has(d.status));
    if (done) {
      for (const d of s.devices.values()) last = Math.max(last, d.at);
      s.status = 'FINISH';
      s.finishedAt = last;
      s.updatedAt = Math.max(s.updatedAt, last);
    }
    return s;
  }
}

/**
 * The status after `status`: along the delivery, except that a device of another template than the
 * shipment's gets "Firmware type mismatch" ("shipment firmware has a different template than a
 * destination device") where it would request the firmware, unless the check is skipped.
 */
function nextStatus(status: ShipmentDeviceStatus, s: SimShipment, device: DeviceState): ShipmentDeviceStatus {
  if (status === 'requestSent' && !s.skipFwTypeCheck && device.templateId !== s.productId) return 'firmwareTypeMismatch';
  return DELIVERY[DELIVERY.indexOf(status) + 1] ?? 'success';
}

/** The shipment as the routes answer it. */
export function shipmentJson(s: SimShipment): Record<string, unknown> {
  const counts: Record<string, number> = Object.fromEntries(SHIPMENT_PROGRESS_KEYS.map((k) => [k, 0]));
  for (const d of s.devices.values()) if (d.status !== undefined) counts[d.status]++;
  return {
    id: s.id,
    productId: s.productId,
    productName: s.productName,
    title: s.title,
    status: s.status,
    shipmentTime: s.shipmentTime,
    pathToFirmware: s.pathToFirmware,
    firmwareOriginalFileName: s.firmwareOriginalFileName,
    ...(s.host === undefined ? {} : { host: s.host }),
    startedByUserId: s.startedByUserId,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    deviceIds: s.deviceIds,
    ...(s.firmwareInfo === undefined ? {} : { firmwareInfo: s.firmwareInfo }),
    attemptsLimit: s.attemptsLimit,
    attemptResetPeriodMs: s.attemptResetPeriodMs,
    isSecure: s.isSecure,
    skipFwTypeCheck: s.skipFwTypeCheck,
    isCritical: s.isCritical,
    sendPush: s.sendPush,
    compareField: s.compareField,
    shipmentProgress: { ...counts, updatedAt: s.updatedAt },
  };
}

type Body = Record<string, unknown>;

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional boolean field, or a 400. */
function flag(b: Body, name: string): boolean | Reply {
  const v = b[name];
  if (v === undefined || v === null) return false;
  return typeof v === 'boolean' ? v : apiError(400, `Bad request - ${name} must be true or false.`);
}

const isReply = (v: unknown): v is Reply => isBody(v) && typeof v.status === 'number';

export function shipmentRoutes(shipments: Shipments, { store, authed, firmware }: ShipmentsDeps): Record<string, Handler> {
  const { demo } = store;
  const orgId = demo.org.id;

  /** The documented optional `orgId`: the token's organisation only. */
  const orgError = (req: SimRequest): Reply | undefined => {
    const raw = first(req.query, 'orgId');
    if (raw === undefined) return undefined;
    const id = toId(raw);
    if (id === undefined) return apiError(400, 'Bad request - Invalid orgId.');
    return id === orgId ? undefined : apiError(404, `Organization with identifier ${id} is not found.`);
  };

  /** The shipment `shipmentId` names, or an error reply. */
  const withShipment = (req: SimRequest, fn: (s: SimShipment) => Reply): Reply => {
    const wrongOrg = orgError(req);
    if (wrongOrg) return wrongOrg;
    const id = toId(first(req.query, 'shipmentId'));
    if (id === undefined) return apiError(400, 'Bad request - Invalid shipmentId.');
    const s = shipments.get(id);
    return s ? fn(s) : apiError(404, `Shipment with identifier ${id} is not found.`);
  };

  const create = (req: SimRequest): Reply => {
    const b = req.json;
    if (req.jsonError || !isBody(b)) return apiError(400, 'Bad request - Invalid JSON body.');
    if (b.orgId !== undefined && b.orgId !== orgId) return apiError(404, `Organization with identifier ${String(b.orgId)} is not found.`);
    const { title, productId, pathToFirmware } = b;
    if (typeof title !== 'string' || title.trim() === '') return apiError(400, 'Bad request - title is required.');
    if (typeof productId !== 'number' || toId(productId) === undefined) return apiError(400, 'Bad request - Invalid productId.');
    if (productId !== demo.template.id) return apiError(404, `Template with identifier ${productId} is not found.`);
    if (typeof pathToFirmware !== 'string' || pathToFirmware.trim() === '')
      return apiError(400, 'Bad request - pathToFirmware is required.');
    // Whether Blynk refuses a path it holds no upload for is undocumented: any path is taken.
    const upload = firmware?.(pathToFirmware);
    const rawIds = b.deviceIds;
    if (!Array.isArray(rawIds) || rawIds.length === 0) return apiError(400, 'Bad request - deviceIds must list at least one device.');
    const deviceIds: number[] = [];
    for (const raw of rawIds) {
      const id = typeof raw === 'number' ? toId(raw) : undefined;
      if (id === undefined) return apiError(400, `Bad request - Invalid device id ${JSON.stringify(raw)?.slice(0, 40)}.`);
      if (!store.device(id)) return apiError(404, `Device with identifier ${id} is not found or belong to another organization.`);
      if (!deviceIds.includes(id)) deviceIds.push(id);
    }
    const shipmentTime = b.shipmentTime ?? 'ANY';
    if (typeof shipmentTime !== 'string' || !SHIPMENT_TIMES.includes(shipmentTime))
      return apiError(400, 'Bad request - Invalid shipmentTime.');
    const compareField = b.compareField ?? 'BUILD_DATE_DIFFERS';
    if (typeof compareField !== 'string' || !COMPARE_FIELDS.includes(compareField))
      return apiError(400, 'Bad request - Invalid compareField.');
    if (b.host !== undefined && typeof b.host !== 'string') return apiError(400, 'Bad request - Invalid host.');
    if (b.firmwareInfo !== undefined && !isBody(b.firmwareInfo)) return apiError(400, 'Bad request - Invalid firmwareInfo.');
    const flags = ['isSecure', 'skipFwTypeCheck', 'isCritical', 'sendPush'].map((name) => flag(b, name));
    const bad = flags.find(isReply);
    if (bad) return bad;
    const [isSecure, skipFwTypeCheck, isCritical, sendPush] = flags as boolean[];
    const name =
      typeof b.firmwareOriginalFileName === 'string' && b.firmwareOriginalFileName !== '' ? b.firmwareOriginalFileName : undefined;
    const s = shipments.add({
      productId,
      productName: demo.template.name,
      title: title.trim(),
      shipmentTime,
      pathToFirmware,
      firmwareOriginalFileName: name ?? upload?.name ?? pathToFirmware.split('/').pop() ?? pathToFirmware,
      ...(typeof b.host === 'string' && b.host !== '' ? { host: b.host } : {}),
      startedByUserId: 1,
      deviceIds,
      ...(isBody(b.firmwareInfo) ? { firmwareInfo: b.firmwareInfo } : upload?.firmwareInfo ? { firmwareInfo: upload.firmwareInfo } : {}),
      attemptsLimit: typeof b.attemptsLimit === 'number' ? b.attemptsLimit : 3,
      attemptResetPeriodMs: typeof b.attemptResetPeriodMs === 'number' ? b.attemptResetPeriodMs : 86_400_000,
      isSecure,
      skipFwTypeCheck,
      isCritical,
      sendPush,
      compareField,
    });
    return json(200, shipmentJson(s));
  };

  return {
    'GET /api/v1/organization/shipments': authed((req) => orgError(req) ?? json(200, shipments.list().map(shipmentJson))),
    'GET /api/v1/organization/shipment': authed((req) => withShipment(req, (s) => json(200, shipmentJson(s)))),
    'POST /api/v1/organization/shipment/create': authed(create),
    'PUT /api/v1/organization/shipment/stop': authed((req) =>
      withShipment(req, (s) =>
        shipments.stop(s.id)
          ? json(200, shipmentJson(s))
          : apiError(400, `Shipment ${s.id} has ended (${s.status}) and cannot be stopped.`),
      ),
    ),
    'DELETE /api/v1/organization/shipment': authed((req) =>
      withShipment(req, (s) => {
        if (s.status !== 'FINISH' && s.status !== 'CANCEL')
          return apiError(400, `Shipment ${s.id} is running (${s.status}); stop it first.`);
        shipments.delete(s.id);
        return noContent();
      }),
    ),
  };
}
