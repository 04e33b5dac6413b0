import { DEFAULT_SERVER } from '../../blynk/server-url';
import { label, labelStyle, paletteLabel, serverLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { oauthClientTab } from './editor/oauth-client';
import { regionSelect } from '../../editor/region-picker';
import { validGrantType, validPath, validQueue, validRate, validRateLimit, validServer } from './editor/rules';
import { signinTab } from './editor/signin';
import { createTabs } from './editor/tabs';
import { testConnectionButton } from './editor/test-connection';

const TYPE = 'blynk-cloud-config';

/** Shows the rows of class `rows` while `shown()` holds, re-checked when `$field` changes. */
function showWhile($field: JQuery, rows: string, shown: () => boolean): void {
  const update = (): void => {
    $(rows).toggle(shown());
  };
  $field.on('change', update);
  update();
}

loadStyles();
RED.nodes.registerType('blynk-cloud-config', {
  category: 'config',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    server: { value: DEFAULT_SERVER, required: true, validate: validServer },
    // Absent: the runtime signs in with client credentials.
    grantType: { value: 'client_credentials', validate: validGrantType },
    // Pacing; a flow saved without these gets "auto" and Blynk's documented limits.
    rateLimit: { value: 'auto', validate: validRateLimit },
    // Optional OAuth scope; empty sends none. Paths: empty means Blynk's (token) and the
    // assumed authorize path, so flows saved before these existed keep working unchanged.
    scope: { value: '' },
    authorizePath: { value: '', validate: validPath },
    tokenPath: { value: '', validate: validPath },
    platformRate: { value: 10000, validate: validRate },
    deviceRate: { value: 50, validate: validRate },
    queueLimit: { value: 1000, validate: validQueue },
  },
  credentials: {
    clientId: { type: 'text' },
    clientSecret: { type: 'password' },
    userEmail: { type: 'text' },
    password: { type: 'password' },
    // Stored by the sign-in callback; no input, so the dialog never sends or sees it.
    refreshToken: { type: 'password' },
  },
  inputs: 0,
  outputs: 0,
  icon: 'blynk-cloud.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    return label(this, TYPE, serverLabel(this.server));
  },
  labelStyle,
  oneditprepare() {
    const $server = $('#node-config-input-server');
    const $grant = $('#node-config-input-grantType');
    const toggleTab = createTabs(this);
    regionSelect($('#node-config-input-region-select'), $server, '.blynk-cloud-config-custom-row');

    // E-mail and password only belong to the user credentials grant (a user-scoped token).
    if (!$grant.val()) $grant.val('client_credentials');
    const showGrant = (): void => {
      const code = $grant.val() === 'authorization_code';
      $('.blynk-cloud-config-user-row').toggle($grant.val() === 'user_credentials');
      $('.blynk-cloud-config-code-row').toggle(code);
      // Sign-in belongs to the authorization code grant; creating clients needs a token of one
      // of the other two.
      toggleTab('signin', code);
      toggleTab('clients', !code);
    };
    signinTab(this, $server);
    $grant.on('change', showGrant);
    showGrant();

    const $rateLimit = $('#node-config-input-rateLimit');
    if (!$rateLimit.val()) $rateLimit.val('auto');
    showWhile($rateLimit, '.blynk-cloud-config-rate-row', () => $rateLimit.val() !== 'off');

    testConnectionButton(this, $server, $grant);
    oauthClientTab(this, $server);
  },
});
