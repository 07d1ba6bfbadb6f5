// Files that ship beside the code (data/, storage/migrations/) are found from the package root, the directory of
// this package's own package.json, so the same lines work from the TypeScript sources (run through tsx) and from
// the bundle in dist/ that `npm run build` writes (where paths relative to a module's own file would be wrong).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'exportwatch';

/** The nearest directory at or above `from`'s directory whose package.json is this package's (name "exportwatch"). */
export function findPackageRoot(from: string): string {
  let dir = dirname(from);
  while (!isPackageRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package (its package.json) in any directory above ${from}`);
    dir = parent;
  }
  return dir;
}

function isPackageRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

let root: string | undefined;

/** A path inside the package, e.g. `packagePath('data', 'topics.json')`. */
export function packagePath(...parts: string[]): string {
  root ??= findPackageRoot(fileURLToPath(import.meta.url));
  return join(root, ...parts);
}
