import { afterAll } from 'vitest';
import { removeTempFolders } from './temp-folders.js';

/*
 * A setup file: runs before each test file, in its context. Registered first, this hook runs after the file's own
 * afterAll hooks (vitest runs them in reverse order), so its bots are stopped before their folders go.
 */
afterAll(removeTempFolders);
