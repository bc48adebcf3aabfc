/**
 * The workflow bundle the worker runs. `npm run build` prebuilds it (the image does, at
 * build time) so a worker polls within a second of start instead of bundling for seconds
 * first; a bundle older than the sources it came from is not used (a developer who edited
 * a workflow gets it bundled afresh), nor is one that is missing.
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow interceptors every bundle carries (the call metrics sink; no commands of their own, so replay-safe). */
export const workflowInterceptorModules = [fileURLToPath(new URL('../observability/workflow-metrics-interceptor.ts', import.meta.url))];
/** With tracing on (src/observability/tracing.ts), the OTel workflow interceptors too; a bundle of its own, so histories without tracing never carry them. */
export const tracingWorkflowInterceptorModules = [
  ...workflowInterceptorModules,
  createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];
const sourceRoot = fileURLToPath(new URL('../', import.meta.url));

/** Where `npm run build` writes the bundle (WORKFLOW_BUNDLE_PATH to put it elsewhere); the tracing one beside it, `-otel.js`. */
export function prebuiltBundlePath(env: NodeJS.ProcessEnv = process.env, tracing = false): string {
  const plain = env.WORKFLOW_BUNDLE_PATH ? path.resolve(env.WORKFLOW_BUNDLE_PATH) : path.join(sourceRoot, '..', 'dist', 'workflow-bundle.js');
  return tracing ? plain.replace(/(\.js)?$/, '-otel.js') : plain;
}

/** The newest modification time of the TypeScript sources (workflows import across src/: contract, i18n, money). */
function newestSourceMtime(dir = sourceRoot): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'stand-ins') continue; // never in the bundle
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/** The prebuilt bundle when it is there and up to date; the sources (bundled at worker start) otherwise. */
export function workflowSource(env: NodeJS.ProcessEnv = process.env, tracing = false): WorkflowSource {
  const bundle = prebuiltBundlePath(env, tracing);
  try {
    if (statSync(bundle).mtimeMs >= newestSourceMtime()) return { workflowBundle: { codePath: bundle } };
  } catch {
    // no prebuilt bundle
  }
  return { workflowsPath };
}
