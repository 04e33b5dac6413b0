import type { DeviceReadMode } from '../../blynk/endpoints';
import { pinsOf } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { typedProperty } from '../../editor/typed-property';
import { accepts, current, isEmpty } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-read';
const CATALOG = catalogOf(TYPE);
// What to read, as the runtime's DeviceReadMode spells it (checked by the compiler).
const MODES: Record<DeviceReadMode, true> = { pins: true, all: true, connected: true };
const validPins = typedProperty(CATALOG, 'pinsType', (value) => (accepts(pinsOf, value) ? true : RED._(`${CATALOG}errors.pins`)));

loadStyles();
RED.nodes.registerType('blynk-cloud-device-read', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    read: {
      value: 'pins',
      // Absent: the runtime reads pins.
      validate(v, _opt) {
        return isEmpty(v) || Object.prototype.hasOwnProperty.call(MODES, String(v)) ? true : RED._(`${CATALOG}errors.read`);
      },
    },
    pins: {
      value: 'topic',
      validate(v, opt) {
        if ((current(this, 'read') || 'pins') !== 'pins') return true;
        // Watching polls without a message, so the pins cannot come from one.
        if (current(this, 'pinsType') === 'msg' && current(this, 'watch') === true && String(v ?? '').trim() !== '') {
          return RED._(`${CATALOG}errors.watchPins`);
        }
        return validPins.call(this, v, opt);
      },
    },
    pinsType: { value: 'msg' },
    // New nodes give numbers; a flow saved before this option keeps Blynk's text.
    numbers: { value: true },
    watch: { value: false },
    interval: {
      value: 10,
      // Only read when watching; absent, the runtime polls every 10 s.
      validate(v, _opt) {
        if (current(this, 'watch') !== true || v === undefined || v === null) return true;
        const n = Number(v);
        return String(v).trim() !== '' && isFinite(n) && n > 0 ? true : RED._(`${CATALOG}errors.interval`);
      },
    },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-device-read.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    let specific = '';
    if (this.read === 'pins' && this.pinsType === 'str' && this.pins) {
      specific = this._(`${TYPE}.labelWithPins`, { pins: String(this.pins).toUpperCase() });
    } else if (this.read === 'all' || this.read === 'connected') {
      specific = this._(`${TYPE}.labelWithMode`, { mode: this._(`${TYPE}.read.${this.read}`) });
    }
    return label(this, TYPE, specific);
  },
  labelStyle,
  oneditprepare() {
    // A node saved without an interval polls at the runtime's 10 s: show it.
    if (this.interval === undefined || this.interval === null) $('#node-input-interval').val(10);
    typedInput('pins', 'msg', NAME_TYPES);
    const showRows = (): void => {
      $('.blynk-cloud-device-read-pins-row').toggle($('#node-input-read').val() === 'pins');
      $('.blynk-cloud-device-read-interval-row').toggle($('#node-input-watch').prop('checked') as boolean);
      $('#node-input-pins').trigger('change');
      $('#node-input-interval').trigger('change');
    };
    $('#node-input-read').on('change', showRows);
    $('#node-input-watch').on('change', showRows);
    showRows();
    prepareDialog(this);
  },
});
