import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMemoryStore, type IdempotencyRecord, type SandboxStore, type StoredKind, type StoredObjects } from './store.ts';

/** Kinds kept across restarts. Webhook endpoints are not: each start registers its own. */
const PERSISTED: readonly StoredKind[] = [
  'payment_intent',
  'payment_method',
  'charge',
  'refund',
  'balance_transaction',
  'dispute',
  'event',
];

interface Snapshot {
  version: 1;
  objects: Partial<Record<StoredKind, unknown[]>>;
  idempotency: IdempotencyRecord[];
}

/**
 * The in-memory store, written to a JSON file shortly after each change and read back at start,
 * so that `npm start` can be restarted without the platform's database pointing at PaymentIntents
 * the sandbox no longer knows. Writes are atomic (temporary file + rename). Webhook deliveries
 * that were still pending at a restart are not resumed.
 */
export function createFileStore(file: string, opts: { writeDelayMs?: number } = {}): SandboxStore & { flush(): void } {
  const memory = createMemoryStore();
  const idempotency: IdempotencyRecord[] = [];
  if (existsSync(file)) {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    for (const kind of PERSISTED) {
      for (const object of snapshot.objects[kind] ?? []) memory.save(kind, object as StoredObjects[typeof kind]);
    }
    for (const record of snapshot.idempotency ?? []) memory.saveIdempotencyRecord(record);
    idempotency.push(...(snapshot.idempotency ?? []));
  }

  let timer: NodeJS.Timeout | null = null;
  const idempotencyByKey = new Map(idempotency.map((r) => [r.key, r]));

  function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    const snapshot: Snapshot = {
      version: 1,
      objects: Object.fromEntries(PERSISTED.map((kind) => [kind, memory.list(kind)])),
      idempotency: [...idempotencyByKey.values()],
    };
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, file);
  }

  function changed() {
    if (timer) return;
    timer = setTimeout(flush, opts.writeDelayMs ?? 200);
    // A pending write must not keep the process alive; close() flushes.
    timer.unref();
  }

  return {
    save(kind, object) {
      memory.save(kind, object);
      if (PERSISTED.includes(kind)) changed();
    },
    get: (kind, id) => memory.get(kind, id),
    list: (kind) => memory.list(kind),
    remove(kind, id) {
      memory.remove(kind, id);
      if (PERSISTED.includes(kind)) changed();
    },
    getIdempotencyRecord: (key) => memory.getIdempotencyRecord(key),
    saveIdempotencyRecord(record) {
      memory.saveIdempotencyRecord(record);
      idempotencyByKey.set(record.key, record);
      changed();
    },
    pruneIdempotencyRecords(cutoffMs) {
      memory.pruneIdempotencyRecords(cutoffMs);
      for (const [key, record] of idempotencyByKey) if (record.createdAtMs < cutoffMs) idempotencyByKey.delete(key);
      changed();
    },
    flush,
  };
}
