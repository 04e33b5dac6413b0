import type { EditorNode } from './red';

/**
 * Shows why a typed field is refused in a line under it: Node-RED puts the message in a
 * tooltip on the typedInput's hidden input, which the user can never hover.
 */
export function showTypedErrors(node: EditorNode): void {
  // The registered definition (public API), not the node's internal `_def`.
  const defaults = RED.nodes.getType(node.type)?.defaults ?? {};
  for (const field of Object.keys(defaults)) {
    const validate = defaults[field].validate;
    const $input = $(`#node-input-${field}`);
    const $container = $input.next('.red-ui-typedInput-container');
    if (!$container.length || typeof validate !== 'function') continue;
    const $hidden = $input.nextAll("input[type='hidden']").last();
    const $line = $('<div>', { class: 'blynk-cloud-field-error', id: `node-input-${field}-error`, role: 'alert' })
      .hide()
      .insertAfter($hidden.length ? $hidden : $container);
    const update = (): void => {
      let message = '';
      if ($container.hasClass('input-error')) {
        const result = validate.call(node, $input.val(), {});
        message = typeof result === 'string' ? result : RED._('validator.errors.invalid-prop');
      }
      // Text, never HTML: a message may quote what was typed.
      $line.text(message).toggle(message !== '');
      $container.attr('title', message || null);
    };
    // Node-RED marks the container after its own change handler; follow the mark.
    new MutationObserver(update).observe($container[0], { attributes: true, attributeFilter: ['class'] });
    $input.on('change', () => setTimeout(update, 0));
    $container.on('keyup', () => setTimeout(update, 0));
    update();
  }
}
