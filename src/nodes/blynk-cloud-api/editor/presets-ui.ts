import { type Preset, presetGroups, type RouteField } from '../../../blynk/presets';

/** The catalogue lookup of the api node's dialog (`this._` of the node). */
type Text = (key: string, params?: Record<string, unknown>) => string;

/** Whether a preset matches the search box: every word in its title or path, any case. */
export function matches(preset: Preset, search: string): boolean {
  const hay = `${preset.summary} ${preset.method} ${preset.path}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => hay.includes(word));
}

/**
 * Fills the preset list with the presets that match `search`, under one group per docs group
 * (Blynk's docs order); `selected` stays chosen if it still matches. Returns how many matched.
 */
export function fillPresets($select: JQuery, t: Text, search: string, selected: string): number {
  $select.empty();
  $('<option>').val('').text(t('preset.choose')).appendTo($select);
  let shown = 0;
  for (const { group, presets } of presetGroups()) {
    const found = presets.filter((p) => matches(p, search));
    if (found.length === 0) continue;
    const $group = $('<optgroup>').attr('label', group).appendTo($select);
    for (const preset of found) {
      $('<option>').val(preset.id).text(`${preset.summary} (${preset.method})`).appendTo($group);
      shown++;
    }
  }
  if (shown === 0) $('<option>').val('').prop('disabled', true).text(t('preset.none')).appendTo($select);
  $select.val(found(selected, search) ? selected : '');
  return shown;
}

function found(id: string, search: string): boolean {
  return presetGroups().some(({ presets }) => presets.some((p) => p.id === id && matches(p, search)));
}

function shortValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A table of parameters or body fields: name, type, required, description (with example and default). */
function fieldTable(t: Text, caption: string, fields: readonly RouteField[]): JQuery {
  const $table = $('<table>').addClass('blynk-cloud-api-fields');
  $('<caption>').text(caption).appendTo($table);
  const $head = $('<tr>').appendTo($('<thead>').appendTo($table));
  for (const key of ['name', 'type', 'required', 'description'])
    $('<th>')
      .text(t(`info.${key}`))
      .appendTo($head);
  const $body = $('<tbody>').appendTo($table);
  for (const f of fields) {
    const $row = $('<tr>').appendTo($body);
    $('<td>').append($('<code>').text(f.name)).appendTo($row);
    $('<td>').text(f.type).appendTo($row);
    $('<td>')
      .text(f.required ? t('info.yes') : t('info.no'))
      .toggleClass('blynk-cloud-api-required', f.required)
      .appendTo($row);
    const $desc = $('<td>').text(f.description ?? '');
    if (f.enum)
      $('<div>')
        .addClass('blynk-cloud-api-field-extra')
        .text(t('info.values', { values: f.enum.map(shortValue).join(', ') }))
        .appendTo($desc);
    if (f.example !== undefined)
      $('<div>')
        .addClass('blynk-cloud-api-field-extra')
        .text(t('info.example', { value: shortValue(f.example) }))
        .appendTo($desc);
    if (f.default !== undefined)
      $('<div>')
        .addClass('blynk-cloud-api-field-extra')
        .text(t('info.default', { value: shortValue(f.default) }))
        .appendTo($desc);
    $desc.appendTo($row);
  }
  return $table;
}

/** Shows what Blynk documents of the chosen preset, in its own words; empty when none is chosen. */
export function showPreset($info: JQuery, t: Text, preset: Preset | undefined): void {
  $info.empty().toggleClass('blynk-cloud-api-info-shown', preset !== undefined);
  if (!preset) return;
  $('<div>')
    .addClass('blynk-cloud-api-info-title')
    .append($('<span>').text(preset.summary))
    .append($('<code>').addClass('blynk-cloud-api-info-route').text(`${preset.method} ${preset.path}`))
    .appendTo($info);
  if (preset.description) $('<div>').addClass('blynk-cloud-api-info-description').text(preset.description).appendTo($info);
  const $facts = $('<dl>').addClass('blynk-cloud-api-info-facts').appendTo($info);
  const fact = (key: string, value: string, cls: string): void => {
    $('<dt>')
      .text(t(`info.${key}`))
      .appendTo($facts);
    $('<dd>').addClass(cls).text(value).appendTo($facts);
  };
  fact('permission', preset.permission ?? t('info.noPermission'), 'blynk-cloud-api-info-permission');
  fact('paged', preset.paged ? t('info.pagedYes') : t('info.pagedNo'), 'blynk-cloud-api-info-paged');
  fact('retried', preset.idempotent ? t('info.retriedYes') : t('info.retriedNo'), 'blynk-cloud-api-info-retried');
  if (preset.contentType === 'multipart') fact('contentType', t('info.multipart'), 'blynk-cloud-api-info-content');
  if (preset.parameters.length) fieldTable(t, t('info.query'), preset.parameters).appendTo($info);
  if (preset.fields?.length) fieldTable(t, t('info.body'), preset.fields).appendTo($info);
  // A route whose page section could not be read in full says so above the link to that page: what is missing is unknown, not absent.
  if (preset.unread) {
    const $note = $('<div>')
      .addClass('blynk-cloud-api-info-unread')
      .append($('<i>').addClass('fa fa-exclamation-triangle'))
      .append(' ')
      .append($('<span>').addClass('blynk-cloud-api-info-unread-text').text(t('info.unread')))
      .appendTo($info);
    if (preset.routeSource === 'third-party')
      $note.append(' ').append($('<span>').addClass('blynk-cloud-api-info-third-party').text(t('info.thirdParty')));
  }
  if (preset.link)
    $('<a>')
      .addClass('blynk-cloud-api-info-link')
      .attr({ href: preset.link, target: '_blank', rel: 'noopener noreferrer' })
      .text(t('info.link', { group: preset.group }))
      .appendTo($('<div>').addClass('blynk-cloud-api-info-source').appendTo($info));
}
