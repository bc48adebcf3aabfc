/**
 * `npm run orders:import -- FILE.json`: loads orders into the PostgreSQL order book at
 * DATABASE_URL (upsert; a paid order stays paid: see postgres-import.ts).
 */
import { checkConnection, createPool, redactDatabaseUrl } from '../postgres-connection.js';
import { importOrders, readOrdersFile } from '../postgres-import.js';
import { checkSchema } from '../postgres-schema.js';
import { OrderBookStartupError } from '../startup-error.js';
import { asDatabaseFailure, requireDatabaseUrl } from './database-url.js';
import { exitOnStartupError } from '../../process/startup.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) throw new OrderBookStartupError('usage: npm run orders:import -- FILE.json (an array of orders like data/demo-orders.json)');
  const orders = await readOrdersFile(file);
  const databaseUrl = requireDatabaseUrl();
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    await checkConnection(pool, databaseUrl);
    await checkSchema(pool, databaseUrl);
    const result = await importOrders(pool, orders);
    console.log(
      `imported ${orders.length} orders from ${file} into ${redactDatabaseUrl(databaseUrl)}: ` +
        `${result.inserted} new, ${result.updated} updated, ${result.keptPaid} already paid (left as they were)`,
    );
  } catch (err) {
    throw asDatabaseFailure(err, databaseUrl, 'orders:import');
  } finally {
    await pool.end();
  }
}

main().catch(exitOnStartupError);
