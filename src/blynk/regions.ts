import { DEFAULT_SERVER } from './server-url';

/**
 * Blynk's documented regions: the connection dialog offers them by name
 * (`blynk-cloud-config.region.<id>` in its catalogue) and stores the server.
 */
export interface Region {
  id: string;
  server: string;
}

export const REGIONS: readonly Region[] = [
  { id: 'global', server: DEFAULT_SERVER },
  { id: 'fra1', server: 'https://fra1.blynk.cloud' },
  { id: 'lon1', server: 'https://lon1.blynk.cloud' },
  { id: 'ny3', server: 'https://ny3.blynk.cloud' },
  { id: 'sgp1', server: 'https://sgp1.blynk.cloud' },
  { id: 'blr1', server: 'https://blr1.blynk.cloud' },
];
