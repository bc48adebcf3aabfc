/**
 * An endpoint that refuses OperatorService.AddSearchAttributes the way Temporal Cloud does
 * (the API-key proxy answering PERMISSION_DENIED), reached through paycall's connection
 * modules: both SDK connections' errors are recognised as a refusal, a real server's
 * validation error is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { loadTemporalConnection } from '../../src/temporal/connection-config.js';
import { connectAndCheck, type ConnectionKind } from '../../src/temporal/connection-check.js';
import { cloudRegistrationInstructions, isOperatorServiceRefusal } from '../../src/temporal/search-attributes-cloud.js';
import { startProductionTemporal, testApiKey, type ProductionTemporal } from '../helpers/production-temporal.js';
import { startTemporalProxy, type TemporalProxy } from '../helpers/temporal-proxy.js';

const { temporal: tp } = proto;
const addSearchAttributes = '/temporal.api.operatorservice.v1.OperatorService/AddSearchAttributes';

let temporal: ProductionTemporal;
let cloudLike: TemporalProxy;

beforeAll(async () => {
  temporal = await startProductionTemporal();
  cloudLike = await startTemporalProxy({
    upstream: temporal.upstream,
    serverCertPem: temporal.certs.server.certPem,
    serverKeyPem: temporal.certs.server.keyPem,
    mode: { kind: 'api-key', apiKey: testApiKey },
    refuseMethods: { [addSearchAttributes]: { status: 7, message: 'Request unauthorized.' } },
  });
});
afterAll(async () => {
  await cloudLike?.close();
  await temporal?.stop();
});

async function addAttribute(kind: ConnectionKind, env: Record<string, string>, type: number): Promise<unknown> {
  const config = loadTemporalConnection(env);
  const connection = await connectAndCheck(config, kind as 'client');
  try {
    await connection.operatorService.addSearchAttributes({ namespace: config.namespace, searchAttributes: { PaycallCloudProbe: type } });
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await connection.close();
  }
}

describe.each(['client', 'native'] as const)('OperatorService refusal, %s connection', (kind) => {
  it('is recognised, and the registration command would print the tcld command', async () => {
    const error = await addAttribute(kind, temporal.apiKeyEnv({ TEMPORAL_ADDRESS: cloudLike.address }), tp.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    expect(error).toBeDefined();
    expect(isOperatorServiceRefusal(error)).toBe(true);
    expect(cloudRegistrationInstructions({ address: cloudLike.address, namespace: temporal.namespace, missing: [{ name: 'PaycallCloudProbe', type: 'KEYWORD' }], reason: 'refused' })).toContain(
      `tcld namespace search-attributes add --namespace ${temporal.namespace} --search-attribute "PaycallCloudProbe=Keyword"`,
    );
  });

  it("is not confused with a real server's validation error", async () => {
    const env = { TEMPORAL_ADDRESS: temporal.upstream, TEMPORAL_NAMESPACE: temporal.namespace };
    const error = await addAttribute(kind, env, tp.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_UNSPECIFIED);
    expect(error).toBeDefined();
    expect(isOperatorServiceRefusal(error)).toBe(false);
  });
});
