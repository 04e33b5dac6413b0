import { notifyText } from '../../../editor/labels';
import type { EditorNode } from '../../../editor/red';
import { Answer, callbackUrl, failureText, postJSON, resultClass, saidText } from './answers';

interface CreateAnswer extends Answer {
  client: { clientId: string; secret: string; name?: unknown };
}

/**
 * A new connection on `server`, signing in with the new client; every other setting at the
 * default its registered definition declares. Imported as a flow would be (public API), so the
 * editor sets up its internals itself.
 */
function useClient(client: CreateAnswer['client'], server: string): string {
  const defaults = RED.nodes.getType('blynk-cloud-config')?.defaults ?? {};
  const created: Record<string, unknown> = {
    id: RED.nodes.id(),
    type: 'blynk-cloud-config',
    credentials: { clientId: client.clientId, clientSecret: client.secret },
  };
  for (const key of Object.keys(defaults)) created[key] = defaults[key].value;
  created.name = typeof client.name === 'string' ? client.name : '';
  created.server = server;
  created.grantType = 'authorization_code';
  RED.nodes.import([created], { markChanged: true });
  RED.nodes.dirty(true);
  return String(created.name);
}

/** The Create OAuth client tab: the new secret comes back once and is shown once. */
export function oauthClientTab(node: EditorNode, $server: JQuery): void {
  $('#node-config-blynk-cloud-oauth-urls').val(callbackUrl());
  const $create = $('#node-config-blynk-cloud-oauth-create');
  const $createResult = $('#node-config-blynk-cloud-oauth-result');
  // The runtime creates the client with the deployed connection's token: a new or changed
  // connection would fail out of sight, so the form waits for Deploy.
  const saved = RED.nodes.node(node.id);
  const deployed = !!saved && !saved.changed;
  $('#node-config-blynk-cloud-oauth-unavailable').toggle(!deployed);
  $('#blynk-cloud-config-tab-clients').find('input, textarea, button').prop('disabled', !deployed);
  $create.on('click', (event) => {
    event.preventDefault();
    const urls = String($('#node-config-blynk-cloud-oauth-urls').val() || '')
      .split(/\r?\n/)
      .map((u) => u.trim())
      .filter((u) => u !== '');
    $create.prop('disabled', true);
    resultClass($createResult.empty()).text(node._('blynk-cloud-config.oauth-client.creating'));
    postJSON<CreateAnswer>('blynk-cloud/oauth-clients', {
      id: node.id,
      name: $('#node-config-blynk-cloud-oauth-name').val(),
      orgId: $('#node-config-blynk-cloud-oauth-org').val(),
      redirectUrls: urls,
    })
      .done((res) => {
        $createResult.empty();
        if (!res || !res.ok) {
          resultClass($createResult, false).text(node._('blynk-cloud-config.test-connection.failed', { message: saidText(node, res) }));
          return;
        }
        const c = res.client;
        resultClass($createResult);
        $('<div>').text(node._('blynk-cloud-config.oauth-client.created')).appendTo($createResult);
        $('<div>').append($('<code id="node-config-blynk-cloud-oauth-new-id">').text(c.clientId)).appendTo($createResult);
        $('<div>').append($('<code id="node-config-blynk-cloud-oauth-new-secret">').text(c.secret)).appendTo($createResult);
        $('<button type="button" class="red-ui-button" id="node-config-blynk-cloud-oauth-use">')
          .text(node._('blynk-cloud-config.oauth-client.useIt'))
          .on('click', (e) => {
            e.preventDefault();
            const name = useClient(c, String($server.val() || '').trim());
            // The name comes from Blynk: shown as text, never as HTML.
            notifyText(`${node._('blynk-cloud-config.oauth-client.useIt')}: ${name || c.clientId}`, 'success');
          })
          .appendTo($createResult);
      })
      .fail((xhr, textStatus) => {
        resultClass($createResult, false).text(failureText(node, xhr, textStatus));
      })
      .always(() => $create.prop('disabled', false));
  });
}
