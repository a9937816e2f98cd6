// One way to measure a browser bundle, for the tests and `npm run bench`:
// esbuild as a front-end developer runs it (--platform=browser, ESM,
// minified, tree-shaken), with the list of modules that contribute bytes.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface BrowserBundle {
  code: string;
  bytes: number;
  gzip: number;
  /** Input files that contribute bytes to the output (node_modules paths as written). */
  modules: string[];
}

/** Bundles `entry` (an absolute path) for the browser. */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    treeShaking: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    target: 'es2022',
  });
  const code = out.outputFiles[0].text;
  const output = Object.values(out.metafile.outputs)[0];
  const modules = Object.entries(output.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([path]) => path);
  return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code).length, modules };
}

/** The npm packages among `modules` (`@scope/name` or `name`). */
export function packagesOf(modules: string[]): string[] {
  const names = modules.flatMap((m) => {
    const at = m.lastIndexOf('node_modules/');
    if (at < 0) return [];
    const parts = m.slice(at + 'node_modules/'.length).split('/');
    return [parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]];
  });
  return [...new Set(names)].sort();
}
