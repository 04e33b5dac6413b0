import type { EditorNode } from '../../../editor/red';

/** What the package's admin routes answer: `ok`, or a message with its catalogue key and values. */
export interface Answer {
  ok?: boolean;
  key?: string;
  params?: Record<string, unknown>;
  message?: string;
  error?: string;
}

/**
 * A result line in the theme's success or error colour (resources/blynk-cloud-editor.css);
 * `ok` undefined: neither (work in progress, or a plain answer).
 */
export function resultClass($el: JQuery, ok?: boolean): JQuery {
  return $el
    .removeClass('blynk-cloud-config-ok blynk-cloud-config-error')
    .addClass(ok === true ? 'blynk-cloud-config-ok' : ok === false ? 'blynk-cloud-config-error' : '');
}

/** POSTs `body` as JSON to a route of this package and expects JSON back. */
export function postJSON<T>(url: string, body: Record<string, unknown>, timeout?: number): JQuery.jqXHR<T> {
  const options: JQuery.AjaxSettings = { url, type: 'POST', contentType: 'application/json', dataType: 'json', data: JSON.stringify(body) };
  if (timeout) options.timeout = timeout;
  return $.ajax(options) as JQuery.jqXHR<T>;
}

/**
 * A runtime answer in the editor's own language: from its catalogue key and values when it sent
 * them, else its text (in the runtime's language).
 */
export function saidText(node: EditorNode, answer: Answer | undefined): string {
  if (answer && typeof answer.key === 'string' && /^[A-Za-z0-9.-]+$/.test(answer.key)) {
    const key = `blynk-cloud-config.${answer.key}`;
    const text = node._(key, answer.params || {});
    if (text && text !== key) return text;
  }
  return (answer && answer.message) || '?';
}

/** Why a request to a route of this package failed, in the editor's language. */
export function failureText(node: EditorNode, xhr: JQuery.jqXHR | undefined, textStatus: string): string {
  const body = xhr && (xhr.responseJSON as Answer | undefined);
  if (body && body.ok === false && body.message)
    return node._('blynk-cloud-config.test-connection.failed', { message: saidText(node, body) });
  if (xhr && (xhr.status === 401 || xhr.status === 403)) return node._('blynk-cloud-config.test-result.denied', { status: xhr.status });
  if (xhr && xhr.status === 404) return node._('blynk-cloud-config.test-result.notAvailable');
  if (!xhr || xhr.status === 0) return node._('blynk-cloud-config.test-result.noAnswer', { detail: textStatus || 'error' });
  const detail = (body && (body.message || body.error)) || xhr.statusText || textStatus || '';
  return node._('blynk-cloud-config.test-connection.failed', { message: `HTTP ${xhr.status}${detail ? ` ${detail}` : ''}` });
}

/**
 * The callback route of this package under the editor's own address: what to register on the
 * OAuth client, and what the sign-in sends as redirect_uri.
 */
export function callbackUrl(): string {
  return new URL('blynk-cloud/authorize/callback', document.baseURI).href;
}
