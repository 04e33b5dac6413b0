/**
 * The part of Node-RED's editor API (the global `RED`) the dialogs use, typed as they use it:
 * @types/node-red__editor-client types validators as one-parameter booleans, while a validator that
 * returns its message needs `(v, opt)` and `true | string`.
 */

/** A node as the editor hands it to a definition's functions (`this`). */
export interface EditorNode {
  id: string;
  type: string;
  name?: string;
  changed?: boolean;
  credentials?: Record<string, unknown>;
  /** The node type's catalogue, with its key relative to the node's namespace. */
  _(key: string, params?: Record<string, unknown>): string;
  [field: string]: unknown;
}

/** Node-RED passes `opt` to a validator declared with two parameters and shows a returned string. */
export type ValidatorOptions = Record<string, unknown>;
export type Validator = (this: EditorNode, v: unknown, opt?: ValidatorOptions) => true | string;

export interface PropertyDef {
  value: unknown;
  type?: string;
  required?: boolean;
  validate?: Validator;
}

export interface NodeDefinition {
  category: string;
  color: string;
  defaults: Record<string, PropertyDef>;
  credentials?: Record<string, { type: 'text' | 'password' }>;
  inputs: 0 | 1;
  outputs: number;
  icon: string;
  paletteLabel: (this: EditorNode) => string;
  label: (this: EditorNode) => string;
  labelStyle: (this: EditorNode) => string;
  outputLabels?: (this: EditorNode, index: number) => string;
  oneditprepare: (this: EditorNode) => void;
}

export interface Tabs {
  addTab(tab: { id: string; label: string }): void;
  activateTab(id: string): void;
  resize(): void;
}

export interface EditorRED {
  nodes: {
    registerType(type: string, definition: NodeDefinition): void;
    getType(type: string): NodeDefinition | undefined;
    eachConfig(visit: (node: EditorNode) => boolean | void): void;
    node(id: string): EditorNode | null;
    id(): string;
    import(nodes: Array<Record<string, unknown>>, options?: { markChanged?: boolean }): unknown;
    dirty(dirty: boolean): void;
  };
  validators: {
    typedInput(typeField: string): (this: EditorNode, v: unknown, opt?: ValidatorOptions) => boolean | string;
  };
  _(key: string, params?: Record<string, unknown>): string;
  notify(message: JQuery | string, type?: string): unknown;
  tabs: { create(options: { id: string; onchange: (tab: { id: string }) => void }): Tabs };
  clipboard: { copyText(text: string, element: JQuery, message: string): void };
}

/** Node-RED's typedInput widget, as the dialogs call it. */
interface TypedInput {
  (options: { default: string; types: string[]; typeField: string }): JQuery;
  (action: 'type' | 'value' | 'width', value: string): JQuery;
  (action: 'types', types: string[]): JQuery;
  (action: 'type' | 'value'): string;
}

declare global {
  const RED: EditorRED;
  interface JQuery {
    typedInput: TypedInput;
  }
}
