import postgres from 'postgres';

/**
 * A database of its own on a PostgreSQL server, for a benchmark or `npm run screenshots`: created
 * empty under a unique name, dropped again (connections and all) by `drop()`. The server is
 * `serverUrl`, by default the local one (trust auth, as on the project's machines).
 */
export async function createScratchDatabase(prefix: string, serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres') {
  const name = `${prefix}_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
