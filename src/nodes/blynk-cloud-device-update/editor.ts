import { metaFieldOf, pinOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import type { EditorNode } from '../../editor/red';
import { typedProperty } from '../../editor/typed-property';
import { accepts, current, isEmpty, isLiteral } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-update';
const CATALOG = catalogOf(TYPE);
/** What the node writes, as the runtime spells it. */
const WRITES = ['pins', 'timestamped', 'meta', 'file'];
/** The write mode in the open dialog, else the saved one; absent: pins. */
const writeOf = (node: EditorNode): string => {
  const write = current(node, 'write');
  return write === 'timestamped' || write === 'meta' || write === 'file' ? write : 'pins';
};
const validPin = typedProperty(CATALOG, 'pinType', function (value) {
  // Timestamped readings go to one pin; for pins an empty one is allowed: object payloads carry their own.
  if (value.trim() === '' && writeOf(this) !== 'timestamped') return true;
  return accepts(pinOf, value) ? true : RED._(`${CATALOG}errors.pin`);
});
const validMetaField = typedProperty(CATALOG, 'metaFieldType', (value) =>
  accepts(metaFieldOf, value) ? true : RED._(`${CATALOG}errors.metaField`),
);
const validFilename = typedProperty(CATALOG, 'filenameType', (value) => (value.trim() !== '' ? true : RED._(`${CATALOG}errors.filename`)));

loadStyles();
RED.nodes.registerType('blynk-cloud-device-update', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    write: {
      value: 'pins',
      // Absent: the runtime writes pins.
      validate(v, _opt) {
        return isEmpty(v) || WRITES.includes(String(v)) ? true : RED._(`${CATALOG}errors.write`);
      },
    },
    pin: {
      value: 'topic',
      validate(v, opt) {
        const write = writeOf(this);
        return write === 'pins' || write === 'timestamped' ? validPin.call(this, v, opt) : true;
      },
    },
    pinType: { value: 'msg' },
    metaField: {
      value: '',
      validate(v, opt) {
        return writeOf(this) === 'meta' ? validMetaField.call(this, v, opt) : true;
      },
    },
    metaFieldType: { value: 'str' },
    filename: {
      value: 'filename',
      validate(v, opt) {
        return writeOf(this) === 'file' ? validFilename.call(this, v, opt) : true;
      },
    },
    filenameType: { value: 'msg' },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device-update.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    const write = this.write === 'timestamped' || this.write === 'meta' || this.write === 'file' ? this.write : 'pins';
    if (write === 'meta' || write === 'file')
      return label(this, TYPE, this._(`${TYPE}.labelWithMode`, { mode: this._(`${TYPE}.write.${write}`) }));
    const fixed = isLiteral(this.pinType) && this.pin;
    return label(this, TYPE, fixed ? this._(`${TYPE}.labelWithPin`, { pin: String(this.pin).toUpperCase() }) : '');
  },
  labelStyle,
  oneditprepare() {
    typedInput('pin', 'msg', NAME_TYPES);
    typedInput('metaField', 'str', NAME_TYPES);
    typedInput('filename', 'msg', NAME_TYPES);
    const showRows = (): void => {
      const value = $('#node-input-write').val();
      const write = value === 'timestamped' || value === 'meta' || value === 'file' ? value : 'pins';
      $('.blynk-cloud-device-update-pin-row').toggle(write === 'pins' || write === 'timestamped');
      $('.blynk-cloud-device-update-meta-row').toggle(write === 'meta');
      $('.blynk-cloud-device-update-file-row').toggle(write === 'file');
      $('.blynk-cloud-device-update-tip').hide();
      $(`.blynk-cloud-device-update-tip-${write}`).show();
      for (const field of ['pin', 'metaField', 'filename']) $(`#node-input-${field}`).trigger('change');
    };
    // A node saved before the option writes pins.
    if (!this.write) $('#node-input-write').val('pins');
    $('#node-input-write').on('change', showRows);
    showRows();
    prepareDialog(this);
  },
});
