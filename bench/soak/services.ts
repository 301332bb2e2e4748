/**
 * The soak's own PostgreSQL and Redis: started in its temporary folder on ports of their own, so
 * the soak may kill and restart them without touching the machine's servers.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { answersPong } from '../../src/infra/embedded-redis.ts';
import { managedChild, type ManagedChild } from './children.ts';

/** initdb and postgres: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (newest first). */
export function findPostgresBin(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(path.join(dir, 'initdb'))) return dir;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  throw new Error('initdb was not found (Debian: apt-get install postgresql)');
}

/** PostgreSQL will not run as root: then the data folder belongs to the `postgres` user and so do the processes. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function createPostgres(dir: string, port: number): Promise<{ child: ManagedChild; url: string }> {
  const bin = findPostgresBin();
  const data = path.join(dir, 'pgdata');
  const sockets = path.join(dir, 'pgsock');
  mkdirSync(sockets, { recursive: true });
  const user = postgresUser();
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
  }
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
    stdio: 'ignore',
    ...user,
  });
  const url = `postgres://postgres@127.0.0.1:${port}/amtsbote`;
  const child = managedChild(
    {
      name: 'postgres',
      command: path.join(bin, 'postgres'),
      // fsync stays on: the soak's PostgreSQL crash must lose nothing that was committed.
      args: ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
      ...user,
      ready: async () => {
        const sql = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, connect_timeout: 2, onnotice: () => {} });
        try {
          await sql`select 1`;
          return true;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
    },
    dir,
  );
  await child.start();
  const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database amtsbote');
  await admin.end();
  return { child, url };
}

export function createRedis(dir: string, port: number): { child: ManagedChild; url: string } {
  const data = path.join(dir, 'redis');
  mkdirSync(data, { recursive: true });
  const child = managedChild(
    {
      name: 'redis',
      command: 'redis-server',
      // Append-only, as a production Redis for BullMQ is run: a restart keeps the queued jobs.
      args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
      ready: () => answersPong({ port, host: '127.0.0.1' }),
    },
    dir,
  );
  return { child, url: `redis://127.0.0.1:${port}` };
}
