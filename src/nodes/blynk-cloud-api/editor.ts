import { methodOf, pathOf } from '../../blynk/platform-call';
import { Preset, PRESETS, presetFor } from '../../blynk/presets';
import { catalogOf } from '../../editor/catalog';
import { NAME_TYPES, prepareDialog, typedInput } from '../../editor/dialog';
import { label, labelStyle, paletteLabel } from '../../editor/labels';
import { loadStyles } from '../../editor/styles';
import { anything, typedProperty } from '../../editor/typed-property';
import { accepts } from '../../editor/verdict';
import { fillPresets, showPreset } from './editor/presets-ui';

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
      // A documented call is named by Blynk's own title for it.
      specific = preset ? preset.summary : this._(`${TYPE}.labelWithPath`, { method, path: this.path });
    }
    return label(this, TYPE, specific);
  },
  labelStyle,
  oneditprepare() {
    typedInput('method', 'msg', NAME_TYPES);
    typedInput('path', 'msg', NAME_TYPES);
    typedInput('params', 'msg', JSON_TYPES);
    typedInput('body', 'msg', JSON_TYPES);

    const t = (key: string, params?: Record<string, unknown>): string => this._(`${TYPE}.${key}`, params);
    const $preset = $('#node-input-preset-select');
    const $search = $('#node-input-preset-search');
    const $info = $('#blynk-cloud-api-preset-info');
    // A saved flow finds its preset by method and path.
    const initial = presetOf(this.methodType, this.method, this.pathType, this.path);
    fillPresets($preset, t, '', initial?.id ?? '');
    showPreset($info, t, initial);

    // The search box narrows the list to the presets whose title or path has every word typed.
    $search.on('input', () => {
      fillPresets($preset, t, String($search.val() ?? ''), String($preset.val() ?? ''));
    });

    // A preset fills in method, path and skeletons of the query and body, to be completed.
    $preset.on('change', () => {
      const preset = PRESETS.find((p) => p.id === $preset.val());
      showPreset($info, t, preset);
      if (!preset) return;
      $('#node-input-method').typedInput('type', 'str').typedInput('value', preset.method);
      $('#node-input-path').typedInput('type', 'str').typedInput('value', preset.path);
      $('#node-input-params')
        .typedInput('type', 'json')
        .typedInput('value', JSON.stringify(preset.params || {}));
      if (preset.body !== undefined)
        $('#node-input-body')
          .typedInput('type', 'json')
          .typedInput('value', JSON.stringify(preset.body, null, 2));
      $('#node-input-allPages').prop('checked', preset.paged === true);
    });
    prepareDialog(this);
  },
});
