// Served by Node-RED (1.3+) from the package's resources/ folder.
const HREF = 'resources/node-red-contrib-blynk-cloud/blynk-cloud-editor.css';
const ID = 'blynk-cloud-editor-css';

/** Adds the dialogs' style sheet to the editor once, whichever node set loads first. */
export function loadStyles(): void {
  if (document.getElementById(ID)) return;
  $('<link>', { id: ID, rel: 'stylesheet', type: 'text/css', href: HREF }).appendTo('head');
}
