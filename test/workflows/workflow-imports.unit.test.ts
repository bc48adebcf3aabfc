/**
 * The fence around workflow-safe code: every module the workflow bundle or the contract
 * reaches through value imports may import only other such modules, @temporalio/workflow
 * and @temporalio/common. Node built-ins and other packages (the Stripe client, pino, …)
 * belong in activities and processes. `import type` is free: it leaves no code behind.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const allowedPackages = new Set(['@temporalio/workflow', '@temporalio/common']);

/** Value-import specifiers of one file (type-only imports and exports left out). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      const allTypes = clause?.isTypeOnly || (!clause?.name && bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly));
      if (!allTypes) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      const clause = statement.exportClause;
      const allTypes = clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
      if (!allTypes) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Walks value imports from the entry files; returns every import that leaves the fence, as `file → specifier`. */
export function fenceViolations(entries: string[]): string[] {
  const seen = new Set<string>();
  const violations: string[] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('.')) {
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      } else if (!allowedPackages.has(specifier)) {
        violations.push(`${path.relative(process.cwd(), file)} → ${specifier}`);
      }
    }
  };
  entries.forEach((entry) => visit(path.resolve(entry)));
  return violations;
}

describe('workflow-safe code', () => {
  it('the workflow bundle and the contract import only workflow-safe modules', () => {
    const contract = readdirSync('src/contract').filter((f) => f.endsWith('.ts')).map((f) => `src/contract/${f}`);
    expect(fenceViolations(['src/workflows/index.ts', ...contract])).toEqual([]);
  });

  it('the fence catches a workflow that reaches Node (the check can fail)', () => {
    expect(fenceViolations(['test/workflows/fixtures/workflow-with-node-import.ts'])).toEqual(['test/workflows/fixtures/workflow-with-node-import.ts → node:fs']);
  });
});
