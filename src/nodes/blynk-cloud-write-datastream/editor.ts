import { dataStreamIdOf, pinOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { deviceValidator, prepareDeviceField } from '../../editor/device-field';
import { ID_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { typedProperty } from '../../editor/typed-property';
import { accepts, isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-write-datastream';
const CATALOG = catalogOf(TYPE);

loadStyles();
RED.nodes.registerType('blynk-cloud-write-datastream', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    deviceId: { value: 'deviceId', validate: deviceValidator(CATALOG) },
    deviceIdType: { value: 'msg' },
    // Off (and absent): `deviceId` is the device's id; on: its name, looked up by the connection.
    deviceByName: { value: false },
    dataStreamId: {
      // New nodes read the datastream or pin from msg.topic, as the device nodes do; a node
      // saved without this property reads msg.dataStreamId, as it always did.
      value: 'topic',
      // A datastream id, or a virtual pin mapped to its datastream through the device's
      // template. Empty is allowed for a fixed id: object payloads carry their own ids or pins.
      validate: typedProperty(CATALOG, 'dataStreamIdType', (value) => {
        const id = value.trim();
        return id === '' || accepts(dataStreamIdOf, id) || accepts(pinOf, id) ? true : RED._(`${CATALOG}errors.dataStreamId`);
      }),
    },
    dataStreamIdType: { value: 'msg' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-write.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const fixed = isLiteral(this.dataStreamIdType) && this.dataStreamId !== '' && this.dataStreamId !== undefined;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithId`, { id: this.dataStreamId }) : '');
  },
  labelStyle,
  oneditprepare() {
    prepareDeviceField(CATALOG);
    typedInput('dataStreamId', 'msg', ID_TYPES);
    prepareDialog(this);
  },
});
