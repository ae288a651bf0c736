#!/usr/bin/env node
// The `tfe` command: runs the built CLI (dist/cli/main.js, from `npm run build`, which `prepare`
// runs on `npm install` in a checkout and which the published tarball ships) with plain node.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('tfe: dist/cli/main.js is missing; run `npm run build` in the tfe-js checkout\n');
  process.exit(2);
}
await import(main.href);
