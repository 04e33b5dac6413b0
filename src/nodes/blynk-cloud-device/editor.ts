import { parseMqttServer } from '../../blynk/device-mqtt/server';
import { DEFAULT_SERVER } from '../../blynk/server-url';
import { catalogOf } from '../../editor/catalog';
import { label, labelStyle, paletteLabel, serverLabel } from '../../editor/labels';
import { regionSelect } from '../../editor/region-picker';
import type { ValidatorOptions } from '../../editor/red';
import { loadStyles } from '../../editor/styles';
import { accepts } from '../../editor/verdict';

const TYPE = 'blynk-cloud-device';
const CATALOG = catalogOf(TYPE);
/** The broker select's choices besides a URL typed by hand ('' = TLS 8883, 'wss' = WebSocket 443). */
const BROKER_CHOICES = ['', 'wss'];

/** A broker typed by hand, by the rule the runtime connects with (plain mqtt:// or ws:// to loopback only: the token is the password). */
function validBroker(v: unknown, _opt?: ValidatorOptions): true | string {
  const text = String(v ?? '').trim();
  return BROKER_CHOICES.includes(text) || accepts(() => parseMqttServer(text), text) ? true : RED._(`${CATALOG}errors.broker`);
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
    return label(this, TYPE, serverLabel(this.server));
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
