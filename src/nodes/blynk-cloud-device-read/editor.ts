import type { DeviceReadMode } from '../../blynk/endpoints';
import { dataStreamIdOf, metaFieldOf, pinOf, pinsOf, REPORT_OPTIONS, type ReportOption } from '../../blynk/validate';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { typedProperty } from '../../editor/typed-property';
import type { Validator } from '../../editor/red';
import { accepts, current, isEmpty } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device-read';
const CATALOG = catalogOf(TYPE);
// What to read, as the runtime spells it (the Device API reads checked by the compiler).
const MODES: Record<DeviceReadMode | 'meta' | 'report', true> = { pins: true, all: true, connected: true, meta: true, report: true };
/** A report's datastream: empty (all of them), one pin, or a datastream id. */
const reportStream = (value: string): boolean => value.trim() === '' || accepts(pinOf, value) || accepts(dataStreamIdOf, value);
const validPins = typedProperty(CATALOG, 'pinsType', function (value) {
  if (current(this, 'read') === 'report') return reportStream(value) ? true : RED._(`${CATALOG}errors.reportPin`);
  return accepts(pinsOf, value) ? true : RED._(`${CATALOG}errors.pins`);
});
const validMetaField = typedProperty(CATALOG, 'metaFieldType', (value) =>
  accepts(metaFieldOf, value) ? true : RED._(`${CATALOG}errors.metaField`),
);

/** A report option: absent or empty is Blynk's default, else one of the documented values. */
function reportOption(option: ReportOption): { value: string; validate: Validator } {
  const values: readonly string[] = REPORT_OPTIONS[option];
  return {
    value: values[0],
    validate(v, _opt) {
      return isEmpty(v) || values.includes(String(v)) ? true : RED._(`${CATALOG}errors.reportOption`);
    },
  };
}

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
        const read = current(this, 'read') || 'pins';
        if (read !== 'pins' && read !== 'report') return true;
        // Watching polls without a message, so the pins cannot come from one.
        if (current(this, 'pinsType') === 'msg' && current(this, 'watch') === true && String(v ?? '').trim() !== '') {
          return RED._(`${CATALOG}errors.watchPins`);
        }
        return validPins.call(this, v, opt);
      },
    },
    pinsType: { value: 'msg' },
    metaField: {
      value: '',
      validate(v, opt) {
        return current(this, 'read') === 'meta' ? validMetaField.call(this, v, opt) : true;
      },
    },
    metaFieldType: { value: 'str' },
    period: reportOption('period'),
    granularityType: {
      value: 'RAW_DATA',
      validate(v, opt) {
        const own = reportOption('granularityType').validate.call(this, v, opt);
        if (own !== true) return own;
        // The page: RAW_DATA "is not supported for the THREE_MONTH period".
        const raw = isEmpty(v) || v === 'RAW_DATA';
        return current(this, 'read') === 'report' && raw && current(this, 'period') === 'THREE_MONTHS'
          ? RED._(`${CATALOG}errors.rawThreeMonths`)
          : true;
      },
    },
    sourceType: reportOption('sourceType'),
    format: reportOption('format'),
    tzName: { value: 'UTC' },
    sendEvents: { value: false },
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
    } else if (this.read === 'all' || this.read === 'connected' || this.read === 'meta' || this.read === 'report') {
      specific = this._(`${TYPE}.labelWithMode`, { mode: this._(`${TYPE}.read.${this.read}`) });
    }
    return label(this, TYPE, specific);
  },
  labelStyle,
  oneditprepare() {
    // A node saved without an interval polls at the runtime's 10 s: show it.
    if (this.interval === undefined || this.interval === null) $('#node-input-interval').val(10);
    typedInput('pins', 'msg', NAME_TYPES);
    typedInput('metaField', 'str', NAME_TYPES);
    const showRows = (): void => {
      const read = $('#node-input-read').val();
      $('.blynk-cloud-device-read-pins-row').toggle(read === 'pins' || read === 'report');
      $('.blynk-cloud-device-read-numbers-row').toggle(read === 'pins');
      $('.blynk-cloud-device-read-meta-row').toggle(read === 'meta');
      $('.blynk-cloud-device-read-report-row').toggle(read === 'report');
      $('.blynk-cloud-device-read-tip').hide();
      $(`.blynk-cloud-device-read-tip-${read === 'meta' || read === 'report' ? read : 'read'}`).show();
      // Reports are not polled.
      $('.blynk-cloud-device-read-watch-row').toggle(read !== 'report');
      $('.blynk-cloud-device-read-interval-row').toggle(read !== 'report' && ($('#node-input-watch').prop('checked') as boolean));
      $('#node-input-pins').trigger('change');
      $('#node-input-metaField').trigger('change');
      $('#node-input-granularityType').trigger('change');
      $('#node-input-interval').trigger('change');
    };
    $('#node-input-read').on('change', showRows);
    $('#node-input-period').on('change', () => $('#node-input-granularityType').trigger('change'));
    $('#node-input-watch').on('change', showRows);
    showRows();
    prepareDialog(this);
  },
});
