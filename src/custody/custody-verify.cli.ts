import { loadConfig } from '../config/config.ts';
import { openDatabaseForCommand } from '../db/client.ts';
import { createCustodyRepository } from './custody.repository.ts';

/**
 * `npm run custody:verify`: recomputes the whole custody chain and names the first broken entry.
 * Exit code 0 when the chain holds, 1 when it is broken (for a cron job or a monitoring check), 2
 * when the database cannot be opened.
 */
const config = loadConfig();
// Exit code 2, not 1: a monitoring check must not read a database it could not open as a broken chain.
const handle = await openDatabaseForCommand(config, 2);
try {
  const result = await createCustodyRepository(handle.db)
    .verify()
    .catch((err: unknown) => {
      // The database went away while reading: not a broken chain.
      console.error(`The custody chain could not be read: ${(err as Error).message}`);
      process.exit(2);
    });
  if (result.ok) {
    console.log(`custody chain intact: ${result.entries} entries, last hash ${result.lastHash}`);
  } else {
    const why =
      result.reason === 'hash'
        ? 'its contents do not match its hash (changed)'
        : 'it does not link to the entry before it (removed or inserted)';
    console.error(`custody chain broken at entry seq=${result.brokenAt}: ${why}`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
