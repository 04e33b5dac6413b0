import { REGIONS } from '../blynk/regions';
import { catalogOf } from './catalog';

const CUSTOM = 'custom';
// Region names live in the Platform connection's catalogue, loaded with the package.
const REGION_NAMES = `${catalogOf('blynk-cloud-config')}region.`;

/**
 * A region select (`$region`) that writes the region's server into `$server`, or shows the rows of
 * class `customRows` (the server field) for Custom. Selects the stored server's region, else Custom.
 */
export function regionSelect($region: JQuery, $server: JQuery, customRows: string): void {
  for (const region of REGIONS)
    $('<option>')
      .val(region.server)
      .text(RED._(`${REGION_NAMES}${region.id}`))
      .appendTo($region);
  $('<option>')
    .val(CUSTOM)
    .text(RED._(`${REGION_NAMES}${CUSTOM}`))
    .appendTo($region);
  const stored = String($server.val() || '')
    .trim()
    .replace(/\/+$/, '')
    .toLowerCase();
  $region.val(REGIONS.some((r) => r.server === stored) ? stored : CUSTOM);
  const show = (): void => {
    const value = String($region.val());
    if (value !== CUSTOM) $server.val(value);
    $(customRows).toggle(value === CUSTOM);
    $server.trigger('change');
  };
  $region.on('change', () => {
    show();
    if ($region.val() === CUSTOM) $server.trigger('focus');
  });
  show();
}
