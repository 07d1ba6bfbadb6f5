#!/usr/bin/env node
// Entry point of the `exportwatch` command: reads ./.env if present, then runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

if (existsSync('.env')) process.loadEnvFile('.env');
register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv);
