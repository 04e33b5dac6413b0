import { REGIONS } from '../../../blynk/regions';
import type { EditorNode } from '../../../editor/red';

const CUSTOM = 'custom';

function normaliseServer(url: unknown): string {
  return String(url || '')
    .trim()
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * The region picker: Blynk's regions by name, then Custom (the server field). Selects the region
 * that matches the stored server, else Custom; a region writes its server into the field.
 */
export function regionPicker(node: EditorNode, $server: JQuery): void {
  const $region = $('#node-config-input-region-select');
  for (const region of REGIONS)
    $('<option>')
      .val(region.server)
      .text(node._(`blynk-cloud-config.region.${region.id}`))
      .appendTo($region);
  $('<option>')
    .val(CUSTOM)
    .text(node._(`blynk-cloud-config.region.${CUSTOM}`))
    .appendTo($region);

  const stored = normaliseServer($server.val());
  $region.val(REGIONS.some((r) => r.server === stored) ? stored : CUSTOM);
  const showRegion = (): void => {
    const value = String($region.val());
    if (value === CUSTOM) {
      $('.blynk-cloud-config-custom-row').show();
    } else {
      $server.val(value);
      $('.blynk-cloud-config-custom-row').hide();
    }
    $server.trigger('change');
  };
  $region.on('change', () => {
    showRegion();
    if ($region.val() === CUSTOM) $server.trigger('focus');
  });
  showRegion();
}
