import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, whether running from `src/` (tsx) or `dist/src/` (built). */
export const projectRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, independent of the process's working directory. */
export function projectPath(...segments: string[]): string {
  return join(projectRoot, ...segments);
}

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}
