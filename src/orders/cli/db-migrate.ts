/**
 * `npm run db:migrate`: creates or upgrades the PostgreSQL order book's schema at
 * DATABASE_URL. Safe to run again and from several places at once (postgres-schema.ts).
 */
import { checkConnection, createPool, redactDatabaseUrl } from '../postgres-connection.js';
import { latestSchemaVersion, migrate } from '../postgres-schema.js';
import { asDatabaseFailure, requireDatabaseUrl } from './database-url.js';
import { exitOnStartupError } from '../../process/startup.js';

async function main(): Promise<void> {
  const databaseUrl = requireDatabaseUrl();
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    await checkConnection(pool, databaseUrl);
    const applied = await migrate(pool);
    const where = redactDatabaseUrl(databaseUrl);
    console.log(
      applied.length
        ? `paycall schema migrated to version ${latestSchemaVersion} on ${where} (applied ${applied.join(', ')})`
        : `paycall schema already at version ${latestSchemaVersion} on ${where}`,
    );
  } catch (err) {
    throw asDatabaseFailure(err, databaseUrl, 'db:migrate');
  } finally {
    await pool.end();
  }
}

main().catch(exitOnStartupError);
