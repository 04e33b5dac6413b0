import { requestNamesOf } from '../../blynk/device-mqtt/topics';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import type { EditorNode } from '../../editor/red';
import { accepts, current } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-out';
const CATALOG = catalogOf(TYPE);
const ACTIONS = [
  'write',
  'event',
  'property',
  'meta',
  'erase',
  'eraseProperty',
  'getValues',
  'getAllValues',
  'getMeta',
  'getTime',
  'getLocation',
];
const WITH_PROPERTY = ['property', 'eraseProperty'];
/** Requests that name nothing (the runtime reads neither the name field nor msg.payload). */
const WITHOUT_NAME = ['getAllValues', 'getTime', 'getLocation'];
const REQUEST_TOPICS: Record<string, string> = { getAllValues: 'get/ds/all', getTime: 'get/utc/all/json', getLocation: 'get/loc/all' };
/** Requests whose name field holds several names (comma-separated). */
const NAME_LISTS: Record<string, 'datastream' | 'meta'> = { getValues: 'datastream', getMeta: 'meta' };

const actionOf = (node: EditorNode): string => String(current(node, 'action') || 'write');

/** A literal name: not empty, no MQTT wildcard or level separator (the runtime checks it again). */
function validName(value: string): true | string {
  return value.trim() !== '' && !/[+#/]/.test(value) ? true : RED._(`${CATALOG}errors.name`);
}
/** A fixed name field: one name, or for get/ds and get/meta a comma-separated list, as the runtime reads it. */
const validTarget = typedProperty(CATALOG, 'datastreamType', function (value) {
  const kind = NAME_LISTS[actionOf(this)];
  if (!kind) return validName(value);
  return accepts((v) => requestNamesOf(kind, v), value) ? true : RED._(`${CATALOG}errors.names`);
});
const validProperty = typedProperty(CATALOG, 'propertyType', validName);

loadStyles();
RED.nodes.registerType('blynk-cloud-device-out', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-device', required: true },
    action: {
      value: 'write',
      validate(v, _opt) {
        return ACTIONS.includes(String(v)) ? true : RED._(`${CATALOG}errors.action`);
      },
    },
    datastream: {
      value: 'topic',
      validate(v, opt) {
        return WITHOUT_NAME.includes(actionOf(this)) ? anything() : validTarget.call(this, v, opt);
      },
    },
    datastreamType: { value: 'msg' },
    property: {
      value: 'color',
      validate(v, opt) {
        return WITH_PROPERTY.includes(actionOf(this)) ? validProperty.call(this, v, opt) : anything();
      },
    },
    propertyType: { value: 'str' },
  },
  inputs: 1,
  outputs: 0,
  icon: 'blynk-cloud-device-out.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const action = String(this.action || 'write');
    // A request that names nothing is shown by its topic (short; the action's text is a sentence).
    const fixed = REQUEST_TOPICS[action] ?? (this.datastreamType === 'str' && this.datastream ? String(this.datastream) : '');
    return label(this, TYPE, fixed);
  },
  labelStyle,
  oneditprepare() {
    typedInput('datastream', 'msg', NAME_TYPES);
    typedInput('property', 'str', NAME_TYPES);
    const $action = $('#node-input-action');
    if (!$action.val()) $action.val('write');
    const show = (): void => {
      const value = $action.val();
      const action = typeof value === 'string' ? value : 'write';
      // The name field is the datastream, the event code, the metadata field, or the names asked for.
      const targets: Record<string, string> = { event: 'eventCode', meta: 'metaField', getValues: 'datastreams', getMeta: 'metaFields' };
      $('#blynk-cloud-device-out-target').text(this._(`${TYPE}.label.${targets[action] ?? 'datastream'}`));
      $('.blynk-cloud-device-out-target-row').toggle(!WITHOUT_NAME.includes(action));
      $('.blynk-cloud-device-out-property-row').toggle(WITH_PROPERTY.includes(action));
      $('#blynk-cloud-device-out-tip').text(this._(`${TYPE}.tip.${action.startsWith('get') ? 'request' : 'payload'}`));
      $('#node-input-datastream').trigger('change');
      $('#node-input-property').trigger('change');
    };
    $action.on('change', show);
    show();
    prepareDialog(this);
  },
});
