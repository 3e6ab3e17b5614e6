#!/usr/bin/env node
// The `scoremap` command. Scoremap is TypeScript run by tsx's loader: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
