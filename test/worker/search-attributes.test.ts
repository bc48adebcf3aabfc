/**
 * The worker refuses a namespace without paycall's search attributes, naming each missing
 * one and the command that creates it; `npm run temporal:search-attributes` fixes that.
 */
import { randomUUID } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes.js';
import { paycallSearchAttributes } from '../../src/contract/search-attributes.js';
import { checkSearchAttributes, MissingSearchAttributesError } from '../../src/temporal/search-attribute-check.js';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let temporal: TestTemporal;
const namespace = `bare-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  await temporal.connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
});
afterAll(async () => {
  await temporal?.close();
});

describe('search attributes', () => {
  it('the worker check names every missing attribute and the command to create it', async () => {
    const err = await checkSearchAttributes(temporal.nativeConnection, namespace).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingSearchAttributesError);
    const message = (err as Error).message;
    for (const key of paycallSearchAttributes) expect(message).toContain(key.name);
    expect(message).toContain(`temporal operator search-attribute create --namespace ${namespace} --name PaycallAmount --type Int`);
    expect(message).toContain(`--name PaycallStage --type Keyword`);
  });

  it('registering them (idempotently) satisfies the check', async () => {
    const added = await registerSearchAttributes(temporal.connection, namespace);
    expect(added.sort()).toEqual(paycallSearchAttributes.map((k) => k.name).sort());
    expect(await registerSearchAttributes(temporal.connection, namespace)).toEqual([]);
    await expect(checkSearchAttributes(temporal.nativeConnection, namespace)).resolves.toBeUndefined();
  });

  it('the test server has them already (registered at start-dev)', async () => {
    await expect(checkSearchAttributes(temporal.nativeConnection, temporal.namespace)).resolves.toBeUndefined();
  });
});
