/** The prefix of a node type's catalogue keys in `RED._`: `<module>/<type>:<type>.` */
export function catalogOf(type: string): string {
  return `node-red-contrib-blynk-cloud/${type}:${type}.`;
}
