import type { EditorNode } from '../../../editor/red';
import { Answer, failureText, postJSON, resultClass, saidText } from './answers';

interface TestAnswer extends Answer {
  organization?: { name?: string; id?: string | number; scope?: string };
}

/** The Test connection button: signs in with the dialog's values (not the deployed ones). */
export function testConnectionButton(node: EditorNode, $server: JQuery, $grant: JQuery): void {
  const $button = $('#node-config-blynk-cloud-test');
  const $result = $('#node-config-blynk-cloud-test-result');
  const showResult = (ok: boolean, text: string): void => {
    resultClass($result.empty(), ok);
    $('<i>')
      .addClass(ok ? 'fa fa-check' : 'fa fa-exclamation-triangle')
      .appendTo($result);
    $('<span>').text(` ${text}`).appendTo($result);
  };
  $button.on('click', (event) => {
    event.preventDefault();
    // Password inputs that hold a stored secret contain the placeholder __PWRD__; it is sent as
    // is and the runtime substitutes the stored value.
    const body = {
      id: node.id,
      server: String($server.val() || '').trim(),
      grantType: $grant.val(),
      clientId: $('#node-config-input-clientId').val(),
      clientSecret: $('#node-config-input-clientSecret').val(),
      userEmail: $('#node-config-input-userEmail').val(),
      password: $('#node-config-input-password').val(),
      scope: $('#node-config-input-scope').val(),
      tokenPath: $('#node-config-input-tokenPath').val(),
    };
    $button.prop('disabled', true);
    resultClass($result.empty());
    $('<i>').addClass('fa fa-spinner fa-spin').appendTo($result);
    $('<span>')
      .text(` ${node._('blynk-cloud-config.test-connection.testing')}`)
      .appendTo($result);
    postJSON<TestAnswer>('blynk-cloud/test-connection', body, 60000)
      .done((res) => {
        if (res && res.ok) {
          const name = (res.organization && (res.organization.name || res.organization.id)) || '';
          let shown = node._('blynk-cloud-config.test-connection.connected', { name });
          if (res.organization && res.organization.scope) {
            shown += `; ${node._('blynk-cloud-config.test-connection.scope', { scope: res.organization.scope })}`;
          }
          showResult(true, shown);
        } else {
          showResult(false, node._('blynk-cloud-config.test-connection.failed', { message: saidText(node, res) }));
        }
      })
      .fail((xhr, textStatus) => showResult(false, failureText(node, xhr, textStatus)))
      .always(() => $button.prop('disabled', false));
  });
}
