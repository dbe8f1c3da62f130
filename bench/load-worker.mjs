// The worker's entry: workers do not inherit tsx's loader on Node 20, so it is registered here first.
import { tsImport } from 'tsx/esm/api';

await tsImport('./load.ts', import.meta.url);
