import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Folders made in the system's temporary folder by this test file. The setup file remove-temp-folders.ts removes
 * them after the file's last test, failed or not, so a run leaves nothing behind: a few hundred bots' SQLite files
 * every run used to pile up there until the disk was full.
 */
const made: string[] = [];

/** A new folder in the system's temporary folder, named `prefix` and six random characters, removed after the file. */
export function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  made.push(folder);
  return folder;
}

/** Removes the folders this file made; a folder already gone is no error. */
export function removeTempFolders(): void {
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
}
