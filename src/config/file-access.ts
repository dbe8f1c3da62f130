import { accessSync, constants, statSync } from 'node:fs';

/** Why a file named by a setting cannot be read, in words; undefined when it can. */
export function unreadableFile(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isDirectory() ? 'it is a folder' : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'it does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'this process may not read it';
    return (error as Error).message;
  }
}

/** Whether this process may write to a file or into a folder. */
export function mayWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
