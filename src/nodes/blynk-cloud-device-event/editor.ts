import { DEVICE_EVENT_DESCRIPTION_MAX } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, TEXT_TYPES, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { eventCodeValidator, typedProperty } from '../../editor/typed-property';
import { isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-event';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-device-event', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    eventCode: { value: '', validate: eventCodeValidator(CATALOG) },
    eventCodeType: { value: 'str' },
    description: {
      value: 'payload',
      validate: typedProperty(
        CATALOG,
        'descriptionType',
        (value) => (value.length <= DEVICE_EVENT_DESCRIPTION_MAX ? true : RED._(`${CATALOG}errors.tooLong`, { length: value.length })),
        true,
      ),
    },
    descriptionType: { value: 'msg' },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device-event.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = isLiteral(this.eventCodeType) && this.eventCode;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithCode`, { code: this.eventCode }) : '');
  },
  labelStyle,
  oneditprepare() {
    typedInput('eventCode', 'str', NAME_TYPES);
    typedInput('description', 'msg', TEXT_TYPES);
    prepareDialog(this);
  },
});
