import { catalogOf } from '../../editor/catalog';
import { prepareDialog } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import type { ValidatorOptions } from '../../editor/red';
import { loadStyles } from '../../editor/styles';

const TYPE = 'blynk-cloud-device-in';
const CATALOG = catalogOf(TYPE);

/** Names are sent comma-separated (get/ds), so a name itself may not hold one: only empty items are wrong. */
function validNames(v: unknown, _opt?: ValidatorOptions): true | string {
  const text = String(v ?? '').trim();
  if (text === '') return true;
  return text.split(',').every((name) => name.trim() !== '' && !/[+#/]/.test(name)) ? true : RED._(`${CATALOG}errors.datastreams`);
}

loadStyles();
RED.nodes.registerType('blynk-cloud-device-in', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-device', required: true },
    datastreams: { value: '', validate: validNames },
    current: { value: false },
    others: { value: false },
  },
  inputs: 0,
  outputs: 1,
  icon: 'blynk-cloud-device-in.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    return label(this, TYPE, String(this.datastreams || ''));
  },
  labelStyle,
  oneditprepare() {
    prepareDialog(this);
  },
});
