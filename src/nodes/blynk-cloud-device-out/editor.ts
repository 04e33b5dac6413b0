import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import { current } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-out';
const CATALOG = catalogOf(TYPE);
const ACTIONS = ['write', 'event', 'property', 'meta', 'erase', 'eraseProperty'];
const WITH_PROPERTY = ['property', 'eraseProperty'];

/** A literal name: not empty, no MQTT wildcard or level separator (the runtime checks it again). */
function validName(value: string): true | string {
  return value.trim() !== '' && !/[+#/]/.test(value) ? true : RED._(`${CATALOG}errors.name`);
}
const validTarget = typedProperty(CATALOG, 'datastreamType', validName);
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
    datastream: { value: 'topic', validate: validTarget },
    datastreamType: { value: 'msg' },
    property: {
      value: 'color',
      validate(v, opt) {
        return WITH_PROPERTY.includes(String(current(this, 'action') || 'write')) ? validProperty.call(this, v, opt) : anything();
      },
    },
    propertyType: { value: 'str' },
  },
  inputs: 1,
  outputs: 0,
  icon: 'blynk-cloud-device-out.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = this.datastreamType === 'str' && this.datastream ? String(this.datastream) : '';
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
      // The name field is the datastream, the event code or the metadata field.
      const target = action === 'event' ? 'eventCode' : action === 'meta' ? 'metaField' : 'datastream';
      $('#blynk-cloud-device-out-target').text(this._(`${TYPE}.label.${target}`));
      $('.blynk-cloud-device-out-property-row').toggle(WITH_PROPERTY.includes(action));
      $('#node-input-property').trigger('change');
    };
    $action.on('change', show);
    show();
    prepareDialog(this);
  },
});
