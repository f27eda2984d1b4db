#!/usr/bin/env node
// The `shulin` command. Shulin runs its TypeScript sources directly through tsx,
// so a checkout works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/index.ts');
await main(process.argv);
