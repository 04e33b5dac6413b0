import { showTypedErrors } from './field-errors';
import type { EditorNode } from './red';

// The typedInput types of a value that names something (an id, a pin) or is free text.
export const ID_TYPES = ['msg', 'flow', 'global', 'num', 'str', 'env', 'jsonata'];
export const NAME_TYPES = ['str', 'msg', 'flow', 'global', 'env', 'jsonata'];
export const TEXT_TYPES = ['msg', 'flow', 'global', 'str', 'env', 'jsonata'];

// The rest of a form row after its label (.blynk-cloud-form in the style sheet): a typedInput takes
// its width from an inline style or its `width` method only, and otherwise fixes it in pixels when
// the dialog opens.
const TYPED_WIDTH = 'calc(100% - 150px)';

/** Turns #node-input-<field> into a typedInput whose type is kept in #node-input-<field>Type. */
export function typedInput(field: string, defaultType: string, types: string[]): JQuery {
  const $field = $(`#node-input-${field}`);
  $field.typedInput({ default: defaultType, types, typeField: `#node-input-${field}Type` });
  $field.typedInput('width', TYPED_WIDTH);
  return $field;
}

/**
 * A node without a connection gets the only Blynk connection there is: Node-RED (4.1) leaves
 * the field at "none" even then, and a newcomer has exactly one.
 */
function preselectConnection(node: EditorNode): void {
  const $select = $('#node-input-connection');
  if (!$select.length || node.connection || ($select.val() && $select.val() !== '_ADD_')) return;
  const ids: string[] = [];
  RED.nodes.eachConfig((config) => {
    if (config.type === 'blynk-cloud-config') ids.push(config.id);
  });
  if (ids.length === 1 && $select.find(`option[value='${ids[0]}']`).length) $select.val(ids[0]).trigger('change');
}

/** What every flow node's oneditprepare ends with. */
export function prepareDialog(node: EditorNode): void {
  // Labels wide enough for German and Japanese (Datastream-ID oder Pin, 認証トークン) on one line.
  $('#node-input-name').closest('form').addClass('blynk-cloud-form');
  preselectConnection(node);
  showTypedErrors(node);
}
