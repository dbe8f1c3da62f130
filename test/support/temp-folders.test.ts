import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTempFolders, tempFolder } from './temp-folders.js';

describe("a test file's temporary folders", () => {
  it('are made in the temporary folder under their prefix, and removed with what they hold', () => {
    const folders = [tempFolder('temp-folders-test-'), tempFolder('temp-folders-test-')];
    for (const folder of folders) {
      expect(dirname(folder)).toBe(tmpdir());
      expect(basename(folder)).toMatch(/^temp-folders-test-.{6}$/);
      writeFileSync(join(folder, 'bot.sqlite'), 'data');
    }
    expect(folders[0]).not.toBe(folders[1]);
    removeTempFolders();
    for (const folder of folders) expect(existsSync(folder)).toBe(false);
    // Removing again, or a folder someone else removed first, is no error.
    expect(() => removeTempFolders()).not.toThrow();
  });
});
