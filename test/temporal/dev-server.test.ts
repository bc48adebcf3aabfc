import { Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { paycallSearchAttributes } from '../../src/contract/search-attributes.js';

describe('test Temporal server', () => {
  it('is a real server with paycall search attributes registered', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const response = await connection.operatorService.listSearchAttributes({ namespace: inject('temporalNamespace') });
      const custom = Object.keys(response.customAttributes ?? {});
      for (const key of paycallSearchAttributes) expect(custom).toContain(key.name);
    } finally {
      await connection.close();
    }
  });
});
