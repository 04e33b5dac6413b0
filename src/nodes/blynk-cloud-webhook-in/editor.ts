import { generateHeaderSecret, HEADER_NAME, HEADER_VALUE, RECOMMENDED_TEMPLATE } from '../../blynk/webhook';
import { catalogOf } from '../../editor/catalog';
import { prepareDialog } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import type { EditorNode } from '../../editor/red';
import { loadStyles } from '../../editor/styles';
import { current, verdict } from '../../editor/verdict';
import { prepareSetup } from './editor/setup';

const TYPE = 'blynk-cloud-webhook-in';
const CATALOG = catalogOf(TYPE);

/** A path Express can serve: starts with "/", no spaces, no query or fragment. */
const URL_PATH = /^\/[^\s?#]*$/;

function usesHeader(node: EditorNode): boolean {
  const auth = String(current(node, 'auth'));
  return auth === 'header' || auth === 'both';
}

/** Shows the rows of the chosen authentication, and the warning when there is none. */
function showAuthRows(): void {
  const auth = String($('#node-input-auth').val());
  $('.blynk-webhook-basic').toggle(auth === 'basic' || auth === 'both');
  $('.blynk-webhook-header').toggle(auth === 'header' || auth === 'both');
  $('.blynk-webhook-oauth2').toggle(auth === 'oauth2');
  $('#blynk-webhook-no-auth').toggle(auth === 'none');
}

loadStyles();
RED.nodes.registerType('blynk-cloud-webhook-in', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    url: {
      value: '',
      required: true,
      // (v, opt): Node-RED shows a returned message only from a two-parameter validator (verdict.ts).
      validate: (v, _opt) => verdict(typeof v === 'string' && URL_PATH.test(v.trim()) ? true : RED._(`${CATALOG}errors.url`)),
    },
    method: { value: 'POST' },
    auth: { value: 'basic' },
    headerName: {
      value: 'X-Blynk-Secret',
      validate(v, _opt) {
        return verdict(
          !usesHeader(this) || (typeof v === 'string' && HEADER_NAME.test(v.trim())) ? true : RED._(`${CATALOG}errors.headerName`),
        );
      },
    },
    topic: { value: '' },
    // "Create in Blynk": the connection, what triggers the webhook, and the Blynk webhook this node created.
    setupConfig: { value: '', type: 'blynk-cloud-config', required: false },
    setupBaseUrl: { value: '' },
    setupTrigger: { value: 'DEVICE_DATASTREAM_UPDATE' },
    setupTarget: { value: '' },
    setupSource: { value: '' },
    setupName: { value: '' },
    blynkWebhookId: { value: '' },
  },
  credentials: {
    user: { type: 'text' },
    password: { type: 'password' },
    secret: { type: 'password' },
    clientId: { type: 'text' },
    clientSecret: { type: 'password' },
  },
  inputs: 0,
  outputs: 1,
  icon: 'blynk-cloud-webhook-in.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    return label(this, TYPE, this.url ? `[${String(this.method ?? 'POST').toLowerCase()}] ${String(this.url)}` : '');
  },
  labelStyle,
  oneditprepare() {
    $('#node-input-auth').on('change', showAuthRows);
    showAuthRows();
    $('#blynk-webhook-generate').on('click', (e) => {
      e.preventDefault();
      $('#node-input-secret')
        .val(generateHeaderSecret((bytes) => crypto.getRandomValues(bytes)))
        .trigger('change');
    });
    // A typed secret Blynk would refuse is pointed out (the saved one stays hidden as __PWRD__).
    $('#node-input-secret').on('input change', function () {
      const value = String($(this).val() ?? '');
      const bad = value !== '' && value !== '__PWRD__' && !HEADER_VALUE.test(value);
      $('#blynk-webhook-secret-error')
        .text(bad ? RED._(`${CATALOG}errors.secret`) : '')
        .toggle(bad);
    });
    // The token URL Blynk.Console asks for: this node's path and /token, under the public address.
    const showTokenUrl = (): void => {
      const path = String($('#node-input-url').val() ?? '').trim();
      const base = String($('#node-input-setupBaseUrl').val() ?? '')
        .trim()
        .replace(/\/+$/, '');
      $('#blynk-webhook-token-url').val(path ? `${base}${path.replace(/\/+$/, '')}/token` : '');
    };
    $('#node-input-url, #node-input-setupBaseUrl').on('input change', showTokenUrl);
    showTokenUrl();
    $('#blynk-webhook-generate-client').on('click', (e) => {
      e.preventDefault();
      const random = (bytes: Uint8Array): Uint8Array => crypto.getRandomValues(bytes);
      if (!String($('#node-input-clientId').val() ?? '')) $('#node-input-clientId').val(`blynk-${generateHeaderSecret(random, 12)}`);
      $('#node-input-clientSecret').val(generateHeaderSecret(random)).trigger('change');
    });
    $('#blynk-webhook-template').val(RECOMMENDED_TEMPLATE);
    $('#blynk-webhook-copy').on('click', (e) => {
      e.preventDefault();
      RED.clipboard.copyText(RECOMMENDED_TEMPLATE, $('#blynk-webhook-copy'), 'clipboard.copyMessageValue');
    });
    prepareSetup(this);
    prepareDialog(this);
  },
});
