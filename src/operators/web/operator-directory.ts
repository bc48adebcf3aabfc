/**
 * Who the operators are. Each has a name and a token; paycall keeps only the token's
 * SHA-256, so the configuration can be read without handing out the tokens. Every capture,
 * cancel and refund records the operator's name. Sources, all optional:
 *
 * - OPERATORS: `alice:sha256:<hex>,bob:sha256:<hex>`;
 * - OPERATORS_FILE: a JSON array of `{ "name": "alice", "tokenSha256": "<hex>" }`;
 * - OPERATOR_TOKEN: one token, for the one operator named `operator` (local use).
 *
 * `npm run operator:token -- <name>` makes a token and prints the line to add.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface Operator {
  name: string;
  tokenSha256: Buffer;
}

export const operatorNamePattern = /^[A-Za-z0-9._@-]{1,64}$/;

export class OperatorDirectoryError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'OperatorDirectoryError';
  }
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const fileSchema = z.array(z.object({ name: z.string().regex(operatorNamePattern, 'names are letters, digits and . _ @ -'), tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits') }).strict());

export class OperatorDirectory {
  constructor(readonly operators: readonly Operator[]) {}

  static fromConfig(config: { OPERATORS?: string | undefined; OPERATORS_FILE?: string | undefined; OPERATOR_TOKEN?: string | undefined }): OperatorDirectory {
    const operators: Operator[] = [];
    if (config.OPERATORS) {
      for (const entry of config.OPERATORS.split(',').map((e) => e.trim()).filter(Boolean)) {
        const match = /^([^:]+):sha256:([0-9a-f]{64})$/.exec(entry);
        if (!match || !operatorNamePattern.test(match[1]!)) throw new OperatorDirectoryError('OPERATORS', `"${entry.split(':')[0]}:…" is not name:sha256:<64 hex digits>`);
        operators.push({ name: match[1]!, tokenSha256: Buffer.from(match[2]!, 'hex') });
      }
    }
    if (config.OPERATORS_FILE) {
      let parsed: z.infer<typeof fileSchema>;
      try {
        parsed = fileSchema.parse(JSON.parse(readFileSync(config.OPERATORS_FILE, 'utf8')));
      } catch (err) {
        const why = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
        throw new OperatorDirectoryError(`OPERATORS_FILE=${config.OPERATORS_FILE}`, why);
      }
      operators.push(...parsed.map((o) => ({ name: o.name, tokenSha256: Buffer.from(o.tokenSha256, 'hex') })));
    }
    if (config.OPERATOR_TOKEN) operators.push({ name: 'operator', tokenSha256: sha256(config.OPERATOR_TOKEN) });
    const names = operators.map((o) => o.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated) throw new OperatorDirectoryError('OPERATORS', `the operator ${repeated} is listed twice`);
    return new OperatorDirectory(operators);
  }

  get empty(): boolean {
    return this.operators.length === 0;
  }

  /** The operator this bearer token belongs to; every entry is compared, in constant time each. */
  identify(token: string): Operator | undefined {
    const presented = sha256(token);
    let found: Operator | undefined;
    for (const operator of this.operators) if (timingSafeEqual(presented, operator.tokenSha256)) found ??= operator;
    return found;
  }
}
