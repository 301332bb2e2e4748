import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IDEMPOTENCY_TTL_MS } from './idempotency.ts';
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

/** One line of the change log: an object saved, an object removed, or an idempotency record. */
type LogLine = { s: StoredKind; o: { id: string } } | { r: StoredKind; id: string } | { i: IdempotencyRecord };

export interface FileStoreOptions {
  /** How long changes are gathered before they are appended (one write per batch). */
  writeDelayMs?: number;
  /** The log is compacted into the snapshot when it has this many lines more than the store holds objects. */
  compactAfterLines?: number;
}

/**
 * The in-memory store, kept on disk as a snapshot (`file`) plus an append-only change log
 * (`file.log`, one JSON line per change). A change costs one appended line, not a rewrite of
 * everything held: writing stays proportional to what changes, however much the sandbox holds.
 * When the log has grown well past the number of live objects it is folded into a new snapshot
 * (temporary file + rename, then a fresh log), so compaction costs O(1) per change on average and
 * the files stay proportional to what the store holds. At start the snapshot is read and the log
 * replayed; a torn last line (a crash mid-append) is skipped. Idempotency records older than
 * Stripe's 24 hours are not carried over. Webhook deliveries pending at a restart are not resumed.
 */
export function createFileStore(file: string, opts: FileStoreOptions = {}): SandboxStore & { flush(): void } {
  const memory = createMemoryStore();
  const logFile = `${file}.log`;
  const compactAfter = opts.compactAfterLines ?? 50_000;
  /** Objects and records the store holds now (what a compaction writes). */
  let live = 0;
  let logLines = 0;

  const apply = (line: LogLine) => {
    if ('s' in line) memory.save(line.s, line.o as StoredObjects[typeof line.s]);
    else if ('r' in line) memory.remove(line.r, line.id);
    else memory.saveIdempotencyRecord(line.i);
  };
  const keepRecord = (r: IdempotencyRecord) => r.createdAtMs >= Date.now() - IDEMPOTENCY_TTL_MS;

  if (existsSync(file)) {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
    for (const kind of PERSISTED) {
      for (const object of snapshot.objects[kind] ?? []) memory.save(kind, object as StoredObjects[typeof kind]);
    }
    for (const record of (snapshot.idempotency ?? []).filter(keepRecord)) memory.saveIdempotencyRecord(record);
  }
  if (existsSync(logFile)) {
    for (const text of readFileSync(logFile, 'utf8').split('\n')) {
      if (!text) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue; // the torn end of a write a crash interrupted
      }
      if ('i' in line && !keepRecord(line.i)) continue;
      apply(line);
      logLines++;
    }
  }
  live = PERSISTED.reduce((n, kind) => n + memory.count(kind), 0) + memory.idempotencyCount();

  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;

  function compact() {
    const snapshot: Snapshot = {
      version: 1,
      objects: Object.fromEntries(PERSISTED.map((kind) => [kind, memory.list(kind)])),
      idempotency: memory.idempotencyRecords(),
    };
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, file);
    // The snapshot now holds everything the log said; a crash before this line only replays it twice (idempotent).
    rmSync(logFile, { force: true });
    logLines = 0;
  }

  function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length > 0) {
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(logFile, pending.join(''));
      logLines += pending.length;
      pending = [];
    }
    if (logLines > live + compactAfter) compact();
  }

  function record(line: LogLine) {
    pending.push(`${JSON.stringify(line)}\n`);
    if (timer) return;
    timer = setTimeout(flush, opts.writeDelayMs ?? 200);
    // A pending write must not keep the process alive; close() flushes.
    timer.unref();
  }

  return {
    save(kind, object) {
      const isNew = !memory.has(kind, object.id);
      memory.save(kind, object);
      if (!PERSISTED.includes(kind)) return;
      if (isNew) live++;
      record({ s: kind, o: object });
    },
    get: (kind, id) => memory.get(kind, id),
    list: (kind) => memory.list(kind),
    scan: (kind, options) => memory.scan(kind, options),
    has: (kind, id) => memory.has(kind, id),
    count: (kind) => memory.count(kind),
    remove(kind, id) {
      if (!memory.has(kind, id)) return;
      memory.remove(kind, id);
      if (!PERSISTED.includes(kind)) return;
      live--;
      record({ r: kind, id });
    },
    getIdempotencyRecord: (key) => memory.getIdempotencyRecord(key),
    saveIdempotencyRecord(r) {
      if (!memory.getIdempotencyRecord(r.key)) live++;
      memory.saveIdempotencyRecord(r);
      record({ i: r });
    },
    // Expired records are dropped in memory; on disk they are skipped at load and left out of the next snapshot.
    pruneIdempotencyRecords(cutoffMs) {
      const pruned = memory.pruneIdempotencyRecords(cutoffMs);
      live -= pruned;
      return pruned;
    },
    idempotencyCount: () => memory.idempotencyCount(),
    idempotencyRecords: () => memory.idempotencyRecords(),
    flush,
  };
}
