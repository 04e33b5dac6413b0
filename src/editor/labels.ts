import type { EditorNode } from './red';

/** The node type's `paletteLabel`: its name in the palette, from its catalogue. */
export function paletteLabel(type: string): (this: EditorNode) => string {
  return function () {
    return this._(`${type}.paletteLabel`);
  };
}

/** The node's name, else `specific` (a label from its settings, if any), else its palette label. */
export function label(node: EditorNode, type: string, specific: string): string {
  return node.name || specific || node._(`${type}.paletteLabel`);
}

/** A connection's server as its label shows it: the host (and port) without scheme or path. */
export function serverLabel(url: unknown): string {
  return String(url || '')
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[/?#].*$/, '');
}

/** Named nodes in italics, as Node-RED's own nodes show them. */
export function labelStyle(this: EditorNode): string {
  return this.name ? 'node_label_italic' : '';
}

/**
 * Shows `text` in a notification as plain text: RED.notify renders a string as HTML, so a name
 * from Blynk or from a node would run as markup there.
 */
export function notifyText(text: string, type: string): unknown {
  return RED.notify($('<p>').text(text), type);
}
