#!/usr/bin/env node
// The `tfe` command: runs src/cli/main.ts through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
