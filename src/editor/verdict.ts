import type { EditorNode } from './red';

/**
 * Node-RED (validateNodeProperty) takes a returned string as the error message only from a
 * validator declared with two parameters, `(v, opt)`; from any other it keeps `!!result`, so a
 * message would count as valid. Every validator here takes both and ends in `verdict`: true, or
 * a message, never false or undefined (which would show the bare property name).
 */
export function verdict(result: unknown): true | string {
  if (result === true) return true;
  return typeof result === 'string' && result !== '' ? result : RED._('validator.errors.invalid-prop');
}

/** Whether a runtime check (one that throws on a refused value) accepts `value`. */
export function accepts(check: (value: unknown) => unknown, value: unknown): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

/** A fixed value, checked as it is typed, rather than an expression evaluated per message. */
export function isLiteral(type: unknown): boolean {
  return type === 'str' || type === 'num' || type === 'bool';
}

/** Absent or empty: the runtime's default, so flows saved before a setting existed stay valid. */
export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** A field's value in the open dialog (checkboxes as booleans), else the node's saved one. */
export function current(node: EditorNode, field: string): unknown {
  const $field = $(`#node-input-${field}`);
  if ($field.length && $field.attr('type') === 'checkbox') return $field.prop('checked') as boolean;
  const value = $field.val();
  return value === undefined || value === null ? node[field] : value;
}
