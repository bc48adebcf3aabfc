/**
 * Loaded first by every npm script that runs paycall (`tsx --import ./src/process/load-env-file.mjs …`):
 * reads `.env` from the working directory when there is one. Variables already in the
 * environment win over the file. Tests that spawn paycall's entry points directly do not
 * load it, so a developer's `.env` never leaks into them. Plain JavaScript: Node also runs
 * it in the worker's threads, before any TypeScript loader is registered there.
 */
import { existsSync } from 'node:fs';

if (existsSync('.env')) process.loadEnvFile('.env');
