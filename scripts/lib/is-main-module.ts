import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Whether the module with this `import.meta.url` is the script Node was asked to run,
 * so a script's CLI part stays quiet when a test imports the module.
 */
export function isMainModule(moduleUrl: string, argv: readonly string[] = process.argv): boolean {
  const entry = argv[1];
  if (entry === undefined) return false;
  try {
    // realpath: npm and tsx may start the script through a symlinked or relative path.
    return pathToFileURL(realpathSync(entry)).href === moduleUrl;
  } catch {
    return false;
  }
}
