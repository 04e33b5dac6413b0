export interface Target {
  key: 'nr4' | 'nr5' | 'nr4-node18';
  label: string;
  nodeBin: string;
  nodeBinDir: string | undefined;
  nodeVersion: string;
  nodeSource?: string;
  nodeRedDir: string;
  nodeRedVersion: string;
  source: string;
}
/** Node-RED 4 on this Node.js: from the registry into a temp dir, or the devDependency ('dev'). */
export function prepareNodeRed4(options: { tempRoot: string; cacheDir: string; mode?: 'registry' | 'dev' }): Promise<Target>;
/** Node-RED 5 on a Node.js 22 from the npm registry. */
export function prepareNodeRed5(options: { tempRoot: string; cacheDir: string }): Promise<Target>;
/** Node-RED 4 on a Node.js 18 and npm 10 from the npm registry. */
export function prepareNodeRed4OnNode18(options: { tempRoot: string; cacheDir: string }): Promise<Target>;
