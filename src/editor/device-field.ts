import { deviceIdOf, deviceNameOf } from '../blynk/validate';
import { ID_TYPES, NAME_TYPES, typedInput } from './dialog';
import type { EditorNode, Validator } from './red';
import { typedProperty } from './typed-property';
import { accepts, current } from './verdict';

/**
 * The device of a Platform node: an id, or with "device given by name" (`deviceByName`) a name the
 * runtime looks up. Both in one typed property, `deviceId`, so that a flow switches by the checkbox.
 */

/** Whether the node gives its device by name: the open dialog's checkbox, else the saved value. */
export function givesName(node: EditorNode): boolean {
  return current(node, 'deviceByName') === true;
}

/** A fixed device is refused exactly when the runtime would refuse it: an id, or a name by the checkbox. */
export function deviceValidator(catalog: string): Validator {
  return typedProperty(catalog, 'deviceIdType', function (value) {
    if (givesName(this)) return accepts(deviceNameOf, value) ? true : RED._(`${catalog}errors.deviceName`);
    return accepts(deviceIdOf, value) ? true : RED._(`${catalog}errors.deviceId`);
  });
}

/** The message property a new node reads the device from, by what the field holds. */
const DEFAULT_PROPERTY = { id: 'deviceId', name: 'deviceName' };

/**
 * The device field and its checkbox: by name the field offers no number type and is labelled
 * "Device name"; a field still at the default message property follows the checkbox
 * (`msg.deviceId` ↔ `msg.deviceName`). Ticking re-checks the field.
 */
export function prepareDeviceField(catalog: string): void {
  const $check = $('#node-input-deviceByName');
  const byName = (): boolean => $check.prop('checked') === true;
  const $field = typedInput('deviceId', 'msg', byName() ? NAME_TYPES : ID_TYPES);
  const $label = $('#node-input-deviceId-label');
  const show = (): void => {
    $label.text(RED._(`${catalog}label.${byName() ? 'deviceName' : 'deviceId'}`));
  };
  $check.on('change', () => {
    const name = byName();
    $field.typedInput('types', name ? NAME_TYPES : ID_TYPES);
    const [from, to] = name ? [DEFAULT_PROPERTY.id, DEFAULT_PROPERTY.name] : [DEFAULT_PROPERTY.name, DEFAULT_PROPERTY.id];
    if ($field.typedInput('type') === 'msg' && $field.typedInput('value') === from) $field.typedInput('value', to);
    show();
    $field.trigger('change');
  });
  show();
}
