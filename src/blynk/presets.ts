import { ROUTES } from './generated/routes';
import type { Route } from './route-types';

/**
 * A documented Platform API call as the `blynk-cloud-api` dialog offers it: every /api/ operation
 * of contract/*.json, generated at build time (scripts/routes.js), with skeletons of its query and
 * body, whether its answer is a page, and whether sending it twice is harmless (so a lost answer
 * may be retried).
 *
 * The dialog imports this table too (bundled into its editor script): keep the file free of
 * Node.js and package imports.
 */
export type Preset = Route;
export type { Route, RouteField, RouteParam } from './route-types';

/** The Platform API calls Blynk documents, grouped as its documentation groups them. */
export const PRESETS: readonly Preset[] = ROUTES;

const BY_ROUTE = new Map(PRESETS.map((p) => [`${p.method} ${p.path}`, p]));

/** The preset for a method and path (without query), if the call is one of the documented ones. */
export function presetFor(method: string, path: string): Preset | undefined {
  return BY_ROUTE.get(`${method} ${path}`);
}

/** Blynk's groups in the docs' order, each with its presets. */
export function presetGroups(): Array<{ group: string; presets: Preset[] }> {
  const groups = new Map<string, Preset[]>();
  for (const p of PRESETS) {
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  return [...groups].map(([group, presets]) => ({ group, presets }));
}
