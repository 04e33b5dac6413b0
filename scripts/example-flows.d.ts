/** The example flows as one workspace for POST /flows: a tab each, the config node on `server`, credentials inline. */
export function exampleFlows(options: {
  server: string;
  demo: { clientId: string; clientSecret: string; userEmail: string; password: string; devices: Array<{ token: string }> };
  /** The simulator's MQTT broker for `blynk-cloud-device` (default mqtt://127.0.0.1:18883). */
  mqtt?: string;
  files?: string[];
  /** The build the OTA example's file in node reads (see writeDemoFirmware). */
  firmware?: string;
}): Array<Record<string, unknown> & { id: string; type: string }>;

/** The webhook of the example flow that `npm start` defines in the simulator. */
export const EXAMPLE_WEBHOOK: { path: string; headerName: string; secret: string; deviceId: number; dataStreamId: number };

/** Writes the OTA example's demo build (with a Blynk binary info tag) under `dir`; returns its path. */
export function writeDemoFirmware(dir: string): string;
