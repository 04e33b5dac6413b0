import { catalogOf } from '../../../editor/catalog';
import type { EditorNode } from '../../../editor/red';
import { postJSON, resultClass, type Answer } from '../../blynk-cloud-config/editor/answers';

const CATALOG = catalogOf('blynk-cloud-webhook-in');
const CONFIG_CATALOG = catalogOf('blynk-cloud-config');

interface SetupAnswer extends Answer {
  updated?: boolean;
  header?: string;
  webhook?: { id: number; name: string };
}

const t = (key: string, params: Record<string, unknown> = {}): string => RED._(`${CATALOG}setup.${key}`, params);

/** The runtime's reason in the editor's language (the config node's catalogue), else its own text. */
function reasonOf(answer: Answer | undefined): string {
  if (answer && typeof answer.key === 'string' && /^[A-Za-z0-9.-]+$/.test(answer.key)) {
    const key = `${CONFIG_CATALOG}${answer.key}`;
    const text = RED._(key, answer.params || {});
    if (text && text !== key) return text;
  }
  return (answer && answer.message) || '?';
}

/** Labels of the id fields follow the trigger: device or template, datastream id or event code. */
function showTriggerFields(): void {
  const trigger = String($('#node-input-setupTrigger').val());
  $('#blynk-webhook-setup-target-label').text(t(trigger === 'PRODUCT_DATASTREAM_UPDATE' ? 'template' : 'device'));
  $('#blynk-webhook-setup-source-label').text(t(trigger === 'DEVICE_LOG_EVENT' ? 'event' : 'datastream'));
}

function showButton(): void {
  const existing = String($('#node-input-blynkWebhookId').val() || '') !== '';
  $('#blynk-webhook-setup-create-label').text(t(existing ? 'update' : 'create'));
}

/**
 * "Create in Blynk": the runtime creates (or updates) the Blynk webhook with a deployed connection;
 * the answer is its id and name, kept in the node so that the next click updates it.
 */
export function prepareSetup(node: EditorNode): void {
  $('#node-input-setupTrigger').on('change', showTriggerFields);
  showTriggerFields();
  showButton();
  const $result = $('#blynk-webhook-setup-result');
  const $create = $('#blynk-webhook-setup-create');
  $create.on('click', (event) => {
    event.preventDefault();
    const config = String($('#node-input-setupConfig').val() || '');
    const saved = config && config !== '_ADD_' ? RED.nodes.node(config) : null;
    // The runtime uses the deployed connection: a new or changed one would be used as it was deployed, or not at all.
    if (!saved || saved.changed) {
      resultClass($result, false).text(t('needsDeployed'));
      return;
    }
    $create.prop('disabled', true);
    resultClass($result.empty()).text(t('working'));
    postJSON<SetupAnswer>(
      'blynk-cloud/webhook-setup',
      {
        id: node.id,
        config,
        baseUrl: $('#node-input-setupBaseUrl').val(),
        trigger: $('#node-input-setupTrigger').val(),
        target: $('#node-input-setupTarget').val(),
        source: $('#node-input-setupSource').val(),
        name: $('#node-input-setupName').val(),
        method: $('#node-input-method').val(),
        url: $('#node-input-url').val(),
        auth: $('#node-input-auth').val(),
        headerName: $('#node-input-headerName').val(),
        user: $('#node-input-user').val(),
        // A stored password arrives as Node-RED's placeholder: the runtime reads the stored one itself.
        password: $('#node-input-password').val(),
        webhookId: $('#node-input-blynkWebhookId').val(),
      },
      30_000,
    )
      .done((res) => {
        if (!res || !res.ok || !res.webhook) {
          resultClass($result, false).text(t('failed', { message: reasonOf(res) }));
          return;
        }
        $('#node-input-blynkWebhookId').val(String(res.webhook.id));
        showButton();
        // Blynk's name is shown as text, never as HTML.
        const lines = [t(res.updated ? 'updated' : 'created', { id: res.webhook.id, name: res.webhook.name })];
        if (String($('#node-input-auth').val()) !== 'none' && String($('#node-input-auth').val()) !== 'header') lines.push(t('basicNote'));
        if (res.header) lines.push(t('headerNote', { header: res.header }));
        resultClass($result, true).text(lines.join('\n'));
      })
      .fail((xhr, textStatus) => {
        const body = xhr && (xhr.responseJSON as Answer | undefined);
        const reason = body && body.ok === false ? reasonOf(body) : xhr && xhr.status ? `HTTP ${xhr.status}` : textStatus || 'error';
        resultClass($result, false).text(t('failed', { message: reason }));
      })
      .always(() => $create.prop('disabled', false));
  });
}
