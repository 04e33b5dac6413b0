/** A comma-separated list of datastream names (the editor's `datastreams` field); empty = all. */
export function nameListOf(text: unknown): string[] {
  return String(text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}
