import { requestNamesOf } from '../../blynk/device-mqtt/topics';
import { FIXED_TOPICS, isOutAction, NAME_LISTS, OUT_ACTIONS, OutAction, WITH_PROPERTY, WITHOUT_NAME } from './actions';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import type { EditorNode } from '../../editor/red';
import { accepts, current } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-out';
const CATALOG = catalogOf(TYPE);

const actionOf = (node: EditorNode): OutAction => {
  const action = current(node, 'action');
  return isOutAction(action) ? action : 'write';
};

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
        return isOutAction(v) ? true : RED._(`${CATALOG}errors.action`);
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
    const action = isOutAction(this.action) ? this.action : 'write';
    // An action that names nothing is shown by its topic (short; the action's text is a sentence).
    const fixed = FIXED_TOPICS[action] ?? (this.datastreamType === 'str' && this.datastream ? String(this.datastream) : '');
    return label(this, TYPE, fixed);
  },
  labelStyle,
  oneditprepare() {
    typedInput('datastream', 'msg', NAME_TYPES);
    typedInput('property', 'str', NAME_TYPES);
    const $action = $('#node-input-action');
    for (const action of OUT_ACTIONS)
      $('<option>')
        .val(action)
        .text(this._(`${TYPE}.action.${action}`))
        .appendTo($action);
    $action.val(isOutAction(this.action) ? this.action : 'write');
    const show = (): void => {
      const value = $action.val();
      const action = isOutAction(value) ? value : 'write';
      // The name field is the datastream, the event code, the metadata field, or the names asked for.
      const targets: Partial<Record<OutAction, string>> = {
        event: 'eventCode',
        meta: 'metaField',
        getValues: 'datastreams',
        getMeta: 'metaFields',
      };
      $('#blynk-cloud-device-out-target').text(this._(`${TYPE}.label.${targets[action] ?? 'datastream'}`));
      $('.blynk-cloud-device-out-target-row').toggle(!WITHOUT_NAME.includes(action));
      $('.blynk-cloud-device-out-property-row').toggle(WITH_PROPERTY.includes(action));
      $('#blynk-cloud-device-out-tip').text(
        this._(`${TYPE}.tip.${action === 'info' ? 'info' : action.startsWith('get') ? 'request' : 'payload'}`),
      );
      $('#node-input-datastream').trigger('change');
      $('#node-input-property').trigger('change');
    };
    $action.on('change', show);
    show();
    prepareDialog(this);
  },
});
