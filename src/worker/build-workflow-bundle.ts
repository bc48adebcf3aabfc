/** `npm run build`: bundles the workflows once (dist/workflow-bundle.js), for workers that start fast. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundlePath, tracingWorkflowInterceptorModules, workflowInterceptorModules, workflowsPath } from './workflow-bundle.js';

// Two bundles: the usual one, and one with the OpenTelemetry workflow interceptors for workers with tracing on.
for (const tracing of [false, true]) {
  const started = Date.now();
  const out = prebuiltBundlePath(process.env, tracing);
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: tracing ? tracingWorkflowInterceptorModules : workflowInterceptorModules });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`paycall: workflow bundle written to ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} kB, ${Date.now() - started} ms)`);
}
