/**
 * One real Temporal dev server for the whole test run (DESIGN: Testing), on free ports,
 * with paycall's search attributes registered. Tests get its address via inject().
 * A missing Temporal CLI is a clear failure, never a silent skip.
 */
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({});
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
