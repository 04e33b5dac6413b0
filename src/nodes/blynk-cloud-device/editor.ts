import { DEFAULT_SERVER } from '../../blynk/server-url';
import { catalogOf } from '../../editor/catalog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { regionSelect } from '../../editor/region-picker';
import type { ValidatorOptions } from '../../editor/red';
import { loadStyles } from '../../editor/styles';

const TYPE = 'blynk-cloud-device';
const CATALOG = catalogOf(TYPE);
/** The broker select's choices besides a URL typed by hand ('' = TLS 8883, 'wss' = WebSocket 443). */
const BROKER_CHOICES = ['', 'wss'];

function hostOf(url: unknown): string {
  return String(url || '')
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[/?#:].*$/, '');
}

/** A broker typed by hand: mqtts:// or wss:// anywhere, plain mqtt:// or ws:// to loopback only (the token is the password). */
function validBroker(v: unknown, _opt?: ValidatorOptions): true | string {
  const text = String(v ?? '').trim();
  if (BROKER_CHOICES.includes(text)) return true;
  const m = /^(mqtts|wss|mqtt|ws):\/\/([^/:?#@]+|\[[^\]]+\])(:\d+)?(\/[^?#]*)?$/i.exec(text);
  if (!m) return RED._(`${CATALOG}errors.broker`);
  const secure = /^(mqtts|wss)$/i.test(m[1]);
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(m[2]);
  return secure || loopback ? true : RED._(`${CATALOG}errors.broker`);
}

loadStyles();
RED.nodes.registerType('blynk-cloud-device', {
  category: 'config',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    server: { value: DEFAULT_SERVER, required: true },
    // Node-RED passes `opt` (and shows the returned message) only to two-parameter validators.
    broker: { value: '', validate: validBroker },
    queueSize: {
      value: 100,
      validate(v, _opt) {
        const n = Number(v);
        return Number.isInteger(n) && n > 0 ? true : RED._(`${CATALOG}errors.queueSize`);
      },
    },
  },
  credentials: {
    token: { type: 'password' },
  },
  inputs: 0,
  outputs: 0,
  icon: 'blynk-cloud-device-mqtt.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    return label(this, TYPE, hostOf(this.server));
  },
  labelStyle,
  oneditprepare() {
    regionSelect($('#node-config-input-region-select'), $('#node-config-input-server'), '.blynk-cloud-device-custom-row');
    // The broker select: TLS, WebSocket, or a URL typed in the field below.
    const $broker = $('#node-config-input-broker');
    const $mode = $('#node-config-input-broker-select');
    const value = $broker.val();
    const stored = typeof value === 'string' ? value : '';
    $mode.val(BROKER_CHOICES.includes(stored) ? stored : 'custom');
    const show = (): void => {
      const picked = $mode.val();
      const mode = typeof picked === 'string' ? picked : '';
      if (mode !== 'custom') $broker.val(mode);
      $('.blynk-cloud-device-broker-row').toggle(mode === 'custom');
      $broker.trigger('change');
    };
    $mode.on('change', show);
    show();
  },
});
