import { pinOf, propertyNameOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import { accepts } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-property';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-device-property', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    pin: {
      value: 'topic',
      validate: typedProperty(CATALOG, 'pinType', (value) => (accepts(pinOf, value) ? true : RED._(`${CATALOG}errors.pin`))),
    },
    pinType: { value: 'msg' },
    property: {
      value: 'label',
      // A widget property name such as label, color or isDisabled.
      validate: typedProperty(CATALOG, 'propertyType', (value) =>
        accepts(propertyNameOf, value) ? true : RED._(`${CATALOG}errors.property`),
      ),
    },
    propertyType: { value: 'str' },
    value: {
      value: 'payload',
      validate: typedProperty(CATALOG, 'valueType', anything),
    },
    valueType: { value: 'msg' },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device-property.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const pin = this.pinType === 'str' && this.pin ? `${String(this.pin).toUpperCase()} ` : '';
    const fixed = this.propertyType === 'str' && this.property;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithProperty`, { property: pin + String(this.property) }) : '');
  },
  labelStyle,
  oneditprepare() {
    typedInput('pin', 'msg', NAME_TYPES);
    typedInput('property', 'str', NAME_TYPES);
    typedInput('value', 'msg', ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'env', 'jsonata']);
    prepareDialog(this);
  },
});
