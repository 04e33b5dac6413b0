import { methodOf, pathOf } from '../../blynk/platform-call';
import { Preset, PRESETS, presetFor } from '../../blynk/presets';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import { accepts } from '../../editor/verdict';

const TYPE = 'blynk-cloud-api';
const CATALOG = catalogOf(TYPE);
const JSON_TYPES = ['json', 'msg', 'flow', 'global', 'str', 'env', 'jsonata'];

/** The documented call a node with a fixed method and path makes, if it is one. */
function presetOf(methodType: unknown, method: unknown, pathType: unknown, path: unknown): Preset | undefined {
  return methodType === 'str' && pathType === 'str' ? presetFor(String(method).toUpperCase(), String(path)) : undefined;
}

loadStyles();
RED.nodes.registerType('blynk-cloud-api', {
  category: 'Blynk',
  color: '#3FADB5',
  defaults: {
    name: { value: '' },
    connection: { value: '', type: 'blynk-cloud-config', required: true },
    method: {
      value: 'method',
      // Empty would be GET at run time; a fixed method must be written out.
      validate: typedProperty(CATALOG, 'methodType', (value) =>
        value.trim() !== '' && accepts(methodOf, value) ? true : RED._(`${CATALOG}errors.method`),
      ),
    },
    methodType: { value: 'msg' },
    path: {
      value: 'path',
      validate: typedProperty(CATALOG, 'pathType', (value) => (accepts(pathOf, value) ? true : RED._(`${CATALOG}errors.path`))),
    },
    pathType: { value: 'msg' },
    params: { value: 'params', validate: typedProperty(CATALOG, 'paramsType', anything, true) },
    paramsType: { value: 'msg' },
    body: { value: 'payload', validate: typedProperty(CATALOG, 'bodyType', anything, true) },
    bodyType: { value: 'msg' },
    allPages: { value: false },
    // Off (and absent): the runtime removes the credentials Blynk sends (device tokens,
    // client secrets, …) from msg, which ends up in debug output, context and logs.
    keepCredentials: { value: false },
  },
  inputs: 1,
  outputs: 1,
  icon: 'blynk-cloud-api.svg',
  paletteLabel: paletteLabel(TYPE),
  label() {
    let specific = '';
    if (this.methodType === 'str' && this.pathType === 'str') {
      const method = String(this.method).toUpperCase();
      const preset = presetOf(this.methodType, this.method, this.pathType, this.path);
      specific = preset ? this._(`${TYPE}.preset.${preset.id}`) : this._(`${TYPE}.labelWithPath`, { method, path: this.path });
    }
    return label(this, TYPE, specific);
  },
  labelStyle,
  oneditprepare() {
    typedInput('method', 'msg', NAME_TYPES);
    typedInput('path', 'msg', NAME_TYPES);
    typedInput('params', 'msg', JSON_TYPES);
    typedInput('body', 'msg', JSON_TYPES);

    const $preset = $('#node-input-preset-select');
    $('<option>')
      .val('')
      .text(this._(`${TYPE}.preset.choose`))
      .appendTo($preset);
    for (const preset of PRESETS) {
      $('<option>')
        .val(preset.id)
        .text(`${this._(`${TYPE}.preset.${preset.id}`)} (${preset.method})`)
        .appendTo($preset);
    }
    $preset.val(presetOf(this.methodType, this.method, this.pathType, this.path)?.id ?? '');

    // A preset fills in method, path and skeletons of the query and body, to be completed.
    $preset.on('change', () => {
      const preset = PRESETS.find((p) => p.id === $preset.val());
      if (!preset) return;
      $('#node-input-method').typedInput('type', 'str').typedInput('value', preset.method);
      $('#node-input-path').typedInput('type', 'str').typedInput('value', preset.path);
      $('#node-input-params')
        .typedInput('type', 'json')
        .typedInput('value', JSON.stringify(preset.params || {}));
      if (preset.body)
        $('#node-input-body')
          .typedInput('type', 'json')
          .typedInput('value', JSON.stringify(preset.body, null, 2));
      $('#node-input-allPages').prop('checked', preset.paged === true);
    });
    prepareDialog(this);
  },
});
