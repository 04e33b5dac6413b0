import { catalogOf } from '../../editor/catalog';
import { deviceValidator, prepareDeviceField } from '../../editor/device-field';
import { prepareDialog } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-get-device';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-get-device', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    deviceId: { value: 'deviceId', validate: deviceValidator(CATALOG) },
    deviceIdType: { value: 'msg' },
    // Off (and absent): `deviceId` is the device's id; on: its name, looked up by the connection.
    deviceByName: { value: false },
    // Off (and absent): the runtime removes the credentials Blynk sends (device tokens,
    // client secrets, …) from msg, which ends up in debug output, context and logs.
    keepCredentials: { value: false },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = isLiteral(this.deviceIdType) && this.deviceId !== '' && this.deviceId !== undefined;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithId`, { id: this.deviceId }) : '');
  },
  labelStyle,
  outputLabels() {
    return this._(`${TYPE}.outputLabel`);
  },
  oneditprepare() {
    prepareDeviceField(CATALOG);
    prepareDialog(this);
  },
});
