/**
 * What the out node can send (its `action` setting), shared by the runtime and the dialog: keep
 * this file free of Node.js and package imports (it is bundled into the editor script).
 */
export const OUT_ACTIONS = [
  'write',
  'event',
  'property',
  'meta',
  'erase',
  'eraseProperty',
  'info',
  'getValues',
  'getAllValues',
  'getMeta',
  'getTime',
  'getLocation',
] as const;
export type OutAction = (typeof OUT_ACTIONS)[number];

/** Actions that also name a widget property. */
export const WITH_PROPERTY: readonly OutAction[] = ['property', 'eraseProperty'];
/** Actions that name nothing: the name field is not read. */
export const WITHOUT_NAME: readonly OutAction[] = ['info', 'getAllValues', 'getTime', 'getLocation'];
/** The topic of each action that names nothing (its node is labelled by it). */
export const FIXED_TOPICS: Partial<Record<OutAction, string>> = {
  info: 'info/mcu',
  getAllValues: 'get/ds/all',
  getTime: 'get/utc/all/json',
  getLocation: 'get/loc/all',
};
/** Requests whose name field holds several names (comma-separated or an array). */
export const NAME_LISTS: Partial<Record<OutAction, 'datastream' | 'meta'>> = { getValues: 'datastream', getMeta: 'meta' };

export function isOutAction(value: unknown): value is OutAction {
  return (OUT_ACTIONS as readonly unknown[]).includes(value);
}
