import { pinOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { typedProperty } from '../../editor/typed-property';
import { accepts, isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-update';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-device-update', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    pin: {
      value: 'topic',
      // Empty is allowed for a fixed pin: object payloads carry their own pins.
      validate: typedProperty(CATALOG, 'pinType', (value) =>
        value.trim() === '' || accepts(pinOf, value) ? true : RED._(`${CATALOG}errors.pin`),
      ),
    },
    pinType: { value: 'msg' },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device-update.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = isLiteral(this.pinType) && this.pin;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithPin`, { pin: String(this.pin).toUpperCase() }) : '');
  },
  labelStyle,
  oneditprepare() {
    typedInput('pin', 'msg', NAME_TYPES);
    prepareDialog(this);
  },
});
