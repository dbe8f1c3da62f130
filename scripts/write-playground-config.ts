import { relative } from 'node:path';
import { projectRoot } from '../src/project-root.js';
import { writePlaygroundConfig } from './playground-config.js';

// `npm run playground:config`: run it after every change to demo/tenant.json.
const path = writePlaygroundConfig();
console.log(`Wrote ${relative(projectRoot, path)} from demo/tenant.json.`);
