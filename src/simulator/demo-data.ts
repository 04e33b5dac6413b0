// The seeded organisation, template, devices and credentials. Fixed values, so that
// flows, docs and tests can hard-code them.
import type { DatastreamValue, DemoData } from './types';

export const DEMO: DemoData = {
  clientId: 'oa2-client-id_SimDemoClient01',
  clientSecret: 'sim-demo-secret-7Qx2Lp9Vn4Rt',
  userEmail: 'demo@example.com',
  password: 'demo-password-123',
  userWithoutDeveloperMode: { email: 'viewer@example.com', password: 'viewer-password-456' },
  org: { id: 1001, name: 'Simulated Org' },
  devices: [
    { id: 101, name: 'Greenhouse', token: 'e5DTUAD-LpdoXZQ8Gz24VIdZbrCDJhBJ', templateId: 77 },
    { id: 102, name: 'Garage', token: 'njeVSg0-F1Ui1-PHnulaACQVpyCAEeVz', templateId: 77 },
    { id: 103, name: 'Attic (offline)', token: 'SIFV3EyK5lfHQF60JOsXwka981aAkmdQ', templateId: 77 },
  ],
  template: {
    id: 77,
    name: 'Sim Weather Station',
    // Ids deliberately differ from pin numbers, so a client that mixes them up is caught.
    datastreams: [
      { id: 1, pin: 'v0', label: 'Switch', alias: 'Power switch', dataType: 'Integer', min: 0, max: 1 },
      { id: 2, pin: 'v1', label: 'Temperature', alias: 'Temperature', dataType: 'Double', min: -40, max: 85 },
      { id: 3, pin: 'v2', label: 'Status', alias: 'Status text', dataType: 'String' },
      { id: 4, pin: 'v3', label: 'Location', alias: 'Location', dataType: 'Location' },
      { id: 5, pin: 'v4', label: 'Mode', alias: 'Mode', dataType: 'Enum', min: 0, max: 2, enumValues: [0, 1, 2] },
      { id: 6, pin: 'v5', label: 'Humidity', alias: 'Humidity', dataType: 'Integer', min: 0, max: 100 },
    ],
    events: [
      { code: 'high_temp', name: 'High temperature', type: 'WARNING' },
      { code: 'low_battery', name: 'Low battery', type: 'CRITICAL' },
      { code: 'door_open', name: 'Door opened' },
    ],
  },
};

/** Seeded datastream values by datastream id (every device starts with these). */
export const SEED_VALUES: ReadonlyMap<number, DatastreamValue> = new Map<number, DatastreamValue>([
  [1, 0],
  [2, 21.5],
  [3, 'ok'],
  [4, [24.0336, 49.8419]],
  [5, 1],
  [6, 40],
]);

/** Devices that report connected:false at start. */
export const SEED_OFFLINE = new Set<number>([103]);
