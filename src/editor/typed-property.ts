import { eventCodeOf } from '../blynk/validate';
import type { EditorNode, Validator } from './red';
import { accepts, current, isLiteral, verdict } from './verdict';

/** The check of a literal value: true, or the message why it is refused. */
export type LiteralCheck = (this: EditorNode, value: string) => true | string;

/**
 * The validator of a typed property: a literal value is checked by `checkLiteral` (called with
 * the node as `this` and the text as typed), other types need a well-formed expression, and a
 * non-empty one unless `optional`. `catalog` is the node's message catalogue prefix.
 */
export function typedProperty(catalog: string, typeField: string, checkLiteral: LiteralCheck, optional = false): Validator {
  const syntax = RED.validators.typedInput(typeField);
  return function (v, opt) {
    const value = v === undefined || v === null ? '' : String(v);
    if (isLiteral(current(this, typeField) || this[typeField])) return verdict(checkLiteral.call(this, value));
    if (value.trim() === '') return optional ? true : RED._(`${catalog}errors.required`);
    // Without `opt`, Node-RED's typedInput validator answers false instead of its message.
    return verdict(syntax.call(this, v, opt || {}));
  };
}

/** The check of a literal that may be anything (a free value). */
export function anything(): true {
  return true;
}

/** An event code property: a literal must be a Blynk event code, as the runtime checks it. */
export function eventCodeValidator(catalog: string): Validator {
  return typedProperty(catalog, 'eventCodeType', (value) => (accepts(eventCodeOf, value) ? true : RED._(`${catalog}errors.eventCode`)));
}
