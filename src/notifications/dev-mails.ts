import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FolderMail } from './mailer.ts';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIST_LIMIT = 200;

/** Reads the folder the folder mailer writes (newest first). */
export function createDevMailFolder(dir: string) {
  const read = async (id: string): Promise<FolderMail | null> => {
    if (!ID.test(id)) return null;
    try {
      return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as FolderMail;
    } catch {
      return null;
    }
  };
  return {
    read,
    async list(): Promise<FolderMail[]> {
      const names = await readdir(dir).catch(() => [] as string[]);
      const mails = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => read(n.slice(0, -5))));
      return mails
        .filter((m): m is FolderMail => m !== null)
        .sort((a, b) => b.date.localeCompare(a.date))
        .slice(0, LIST_LIMIT);
    },
  };
}
