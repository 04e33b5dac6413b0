import { eventDescriptionOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { deviceValidator, prepareDeviceField } from '../../editor/device-field';
import { NAME_TYPES, prepareDialog, TEXT_TYPES, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { eventCodeValidator, typedProperty } from '../../editor/typed-property';
import { accepts, current, isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-log-event';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-log-event', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    deviceId: { value: 'deviceId', validate: deviceValidator(CATALOG) },
    deviceIdType: { value: 'msg' },
    // Off (and absent): `deviceId` is the device's id; on: its name, looked up by the connection.
    deviceByName: { value: false },
    eventCode: { value: '', validate: eventCodeValidator(CATALOG) },
    eventCodeType: { value: 'str' },
    description: {
      value: 'payload',
      validate: typedProperty(
        CATALOG,
        'descriptionType',
        function (value) {
          // Both fixed: Blynk's limit on code and description together, as the runtime checks it.
          if (!isLiteral(current(this, 'eventCodeType'))) return true;
          const code = String(current(this, 'eventCode') || '');
          return accepts((text) => eventDescriptionOf(code, text), value)
            ? true
            : RED._(`${CATALOG}errors.tooLong`, { length: code.length + value.length });
        },
        true,
      ),
    },
    descriptionType: { value: 'msg' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-event.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = isLiteral(this.eventCodeType) && this.eventCode;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithCode`, { code: this.eventCode }) : '');
  },
  labelStyle,
  oneditprepare() {
    prepareDeviceField(CATALOG);
    typedInput('eventCode', 'str', NAME_TYPES);
    typedInput('description', 'msg', TEXT_TYPES);
    // The description check depends on the event code: re-check it when the code changes.
    $('#node-input-eventCode').on('change', () => {
      $('#node-input-description').trigger('change');
    });
    prepareDialog(this);
  },
});
