import type { EditorNode } from '../../../editor/red';

const TABS = ['connection', 'signin', 'advanced', 'clients'];

/** Shows or hides one of the dialog's tabs. */
export type ToggleTab = (name: string, show: boolean) => void;

/**
 * Tabs as in core's MQTT broker dialog: the first one holds what a new connection needs, the
 * others what only some connections need.
 */
export function createTabs(node: EditorNode): ToggleTab {
  const tabs = RED.tabs.create({
    id: 'node-config-blynk-cloud-tabs',
    onchange(tab) {
      $('#node-config-blynk-cloud-tabs-content').children().hide();
      $(`#${tab.id}`).show();
    },
  });
  for (const name of TABS) tabs.addTab({ id: `blynk-cloud-config-tab-${name}`, label: node._(`blynk-cloud-config.tabs.${name}`) });
  setTimeout(() => tabs.resize(), 0);
  // A refused value on a tab that is not shown would go unnoticed: its tab is marked red while
  // one of its fields is (Node-RED sets input-error on validation).
  for (const name of TABS.slice(1)) {
    const $pane = $(`#blynk-cloud-config-tab-${name}`);
    const $li = $(`#node-config-blynk-cloud-tabs a[href='#blynk-cloud-config-tab-${name}']`).parent();
    const mark = (): void => {
      $li.toggleClass('blynk-cloud-config-tab-error', $pane.find('.input-error').length > 0);
    };
    const observer = new MutationObserver(mark);
    $pane.find('input, select, textarea').each(function () {
      observer.observe(this, { attributes: true, attributeFilter: ['class'] });
    });
    mark();
  }
  // Shown or hidden with the classes Node-RED's own hideTab uses: that one ends in an update of
  // scroll buttons only a scrollable tab bar has (an error otherwise).
  return (name, show) => {
    const id = `blynk-cloud-config-tab-${name}`;
    const $li = $(`#node-config-blynk-cloud-tabs a[href='#${id}']`).parent();
    $li.toggleClass('hide-tab hide', !show);
    if (!show && $li.hasClass('active')) {
      $li.removeClass('active');
      tabs.activateTab('blynk-cloud-config-tab-connection');
    }
    tabs.resize();
  };
}
