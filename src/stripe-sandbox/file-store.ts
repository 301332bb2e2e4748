import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { IDEMPOTENCY_TTL_MS } from './idempotency.ts';
import { createLineWriter, readAt, readLines, writeAll, type LineWriter } from './json-lines.ts';
import {
  createMemoryStore,
  dropCreatedBefore,
  type IdempotencyRecord,
  type SandboxStore,
  type ScanOptions,
  type StoredKind,
  type StoredObjects,
} from './store.ts';

/** Kinds kept across restarts. Webhook endpoints are not: each start registers its own. */
const PERSISTED = [
  'payment_intent',
  'checkout_session',
  'checkout_session_extras',
  'payment_method',
  'charge',
  'refund',
  'balance_transaction',
  'dispute',
  'payout',
  'payout_contents',
  'payout_ledger',
  'event',
] as const;
type PersistedKind = (typeof PERSISTED)[number];
const isPersisted = (kind: StoredKind): kind is PersistedKind => (PERSISTED as readonly StoredKind[]).includes(kind);

/** One line of the snapshot or the log: an object saved, an object removed, or an idempotency record. */
type Line = { s: StoredKind; o: { id: string } } | { r: StoredKind; id: string } | { i: IdempotencyRecord };

/** First line of a snapshot in this format. Before it, a snapshot was one JSON document (LegacySnapshot). */
const SNAPSHOT_HEADER = '{"version":2}';

interface LegacySnapshot {
  version: 1;
  objects: Partial<Record<StoredKind, unknown[]>>;
  idempotency?: IdempotencyRecord[];
}

/**
 * Where the objects of one kind are. Slot n is the n-th id first saved, so slots are the listing
 * order; a line's location is its byte offset in the snapshot followed by the log.
 */
interface KindIndex {
  slots: Map<string, number>;
  locations: number[];
  /** Byte length of each slot's line; 0 once its object is removed. */
  lengths: number[];
}

interface RecordEntry {
  location: number;
  length: number;
  createdAtMs: number;
}

export interface FileStoreOptions {
  /** The log is compacted into the snapshot when it has this many lines more than the store holds objects. */
  compactAfterLines?: number;
  /** How many recently used objects are kept in memory besides the index (default 5 000). */
  cacheObjects?: number;
}

function emptyIndexes(): Record<PersistedKind, KindIndex> {
  const empty = (): KindIndex => ({ slots: new Map(), locations: [], lengths: [] });
  return {
    payment_intent: empty(),
    checkout_session: empty(),
    checkout_session_extras: empty(),
    payment_method: empty(),
    charge: empty(),
    refund: empty(),
    balance_transaction: empty(),
    dispute: empty(),
    payout: empty(),
    payout_contents: empty(),
    payout_ledger: empty(),
    event: empty(),
  };
}

function lineOf(index: KindIndex, slot: number): { location: number; length: number } {
  const location = index.locations[slot];
  const length = index.lengths[slot];
  if (location === undefined || length === undefined) throw new Error(`file store: slot ${slot} is not in the index`);
  return { location, length };
}

/**
 * A store whose objects live on disk, not in memory: a snapshot (`file`) and an append-only change
 * log (`file.log`), both JSON lines. Memory holds an index (per kind, id → where its latest line
 * is; per idempotency key, that and its creation time, in creation order) and the last
 * `cacheObjects` lines used, so it grows by a few dozen bytes per object held, not by the object.
 * A change is one line appended at once (no batching, so a crash of the process loses nothing
 * written); a read parses the object's line afresh, from the cache or read at its offset, so
 * every caller gets a copy of its own. Lists walk the index (`scan`) and read only what they reach.
 *
 * When the log has grown well past what the store holds, the live lines are copied byte for byte,
 * kind by kind in insertion order, into a new snapshot (a temporary file, made durable, renamed
 * over the old one), and only then is the log emptied: a crash before the rename leaves the old
 * snapshot and log, a crash after it replays a log the snapshot already contains, which changes
 * nothing. Compaction costs O(1) per change on average and the files stay proportional to what
 * the store holds. At start the snapshot and the log are read line by line into the index; a torn
 * last line (a crash mid-append) is cut off. Idempotency records older than Stripe's 24 hours are
 * not carried over. Webhook deliveries pending at a restart are not resumed.
 */
export function createFileStore(file: string, opts: FileStoreOptions = {}): SandboxStore & { flush(): void } {
  const logFile = `${file}.log`;
  const tmpFile = `${file}.tmp`;
  const compactAfter = opts.compactAfterLines ?? 50_000;
  const cacheLimit = opts.cacheObjects ?? 5_000;
  /** Webhook endpoints: not kept across restarts, and few. */
  const memory = createMemoryStore();

  let kinds = emptyIndexes();
  /** Idempotency records by key, in creation order (a re-saved key moves to the end). */
  let records = new Map<string, RecordEntry>();
  /** Lines of recently used objects by `kind id`, least recently used first. */
  const cache = new Map<string, string>();
  let snapshotSize = 0;
  let logSize = 0;
  let logLines = 0;
  /** Compactions so far: a scan in progress finds its place again after one. */
  let compactions = 0;
  let snapshotFd: number | null = null;
  let logFd: number | null = null;

  // Opened when first needed, so a store flushed by a closed sandbox can be used again.
  const openSnapshot = () => (snapshotFd ??= openSync(file, 'r'));
  const openLog = () => (logFd ??= openSync(logFile, 'a+'));
  const closeSnapshot = () => {
    if (snapshotFd !== null) closeSync(snapshotFd);
    snapshotFd = null;
  };
  const held = () => PERSISTED.reduce((n, kind) => n + kinds[kind].slots.size, 0) + records.size;
  const keepRecord = (createdAtMs: number) => createdAtMs >= Date.now() - IDEMPOTENCY_TTL_MS;

  function readBytes(location: number, length: number): Buffer {
    return location < snapshotSize ? readAt(openSnapshot(), location, length) : readAt(openLog(), location - snapshotSize, length);
  }

  function remember(key: string, text: string) {
    cache.delete(key);
    cache.set(key, text);
    if (cache.size <= cacheLimit) return;
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }

  /** The line of an object: from the cache (now most recently used), else read from disk and cached. */
  function lineText(kind: PersistedKind, id: string): string | undefined {
    const key = `${kind} ${id}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      remember(key, cached);
      return cached;
    }
    const index = kinds[kind];
    const slot = index.slots.get(id);
    if (slot === undefined) return undefined;
    const { location, length } = lineOf(index, slot);
    const text = readBytes(location, length).toString('utf8');
    remember(key, text);
    return text;
  }

  /** Points `id` at a line: a new id takes the next slot, a known one keeps its place in the order. */
  function place(kind: PersistedKind, id: string, location: number, length: number) {
    const index = kinds[kind];
    const slot = index.slots.get(id);
    if (slot === undefined) {
      index.slots.set(id, index.locations.length);
      index.locations.push(location);
      index.lengths.push(length);
    } else {
      index.locations[slot] = location;
      index.lengths[slot] = length;
    }
  }

  function unplace(kind: PersistedKind, id: string) {
    const index = kinds[kind];
    const slot = index.slots.get(id);
    if (slot === undefined) return;
    index.slots.delete(id);
    index.lengths[slot] = 0;
    cache.delete(`${kind} ${id}`);
  }

  function placeRecord(key: string, entry: RecordEntry) {
    // Deleted first, so a re-saved key moves to the end and the map stays in creation order.
    records.delete(key);
    records.set(key, entry);
  }

  /** Applies a line found at `location` to the index; false if it is not JSON. */
  function applyLine(text: string, location: number, length: number): boolean {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return false;
    }
    if ('s' in line) {
      if (isPersisted(line.s)) place(line.s, line.o.id, location, length);
    } else if ('r' in line) {
      if (isPersisted(line.r)) unplace(line.r, line.id);
    } else if ('i' in line) {
      if (keepRecord(line.i.createdAtMs)) placeRecord(line.i.key, { location, length, createdAtMs: line.i.createdAtMs });
    }
    return true;
  }

  function append(text: string): { location: number; length: number } {
    const bytes = Buffer.from(`${text}\n`);
    const fd = openLog();
    try {
      writeAll(fd, bytes);
    } catch (error) {
      // A partly written line would have the next one glued to it: take it back.
      ftruncateSync(fd, logSize);
      throw error;
    }
    const location = snapshotSize + logSize;
    logSize += bytes.length;
    logLines++;
    return { location, length: bytes.length - 1 };
  }

  /** Writes a snapshot into a temporary file, makes it durable and renames it over the old one. */
  function writeSnapshot(fill: (writer: LineWriter) => void): number {
    const writer = createLineWriter(tmpFile);
    let size: number;
    try {
      writer.add(SNAPSHOT_HEADER);
      fill(writer);
      size = writer.finish();
    } catch (error) {
      writer.abandon();
      throw error;
    }
    renameSync(tmpFile, file);
    // The rename itself must be durable before the log is emptied (Windows cannot open a directory).
    if (process.platform !== 'win32') {
      const dir = openSync(path.dirname(file), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    // The descriptor still reads the replaced file; the next read opens the new one.
    closeSnapshot();
    return size;
  }

  /** The snapshot format before JSON lines: rewritten once as JSON lines, then read as usual. */
  function upgradeLegacySnapshot() {
    const legacy = JSON.parse(readFileSync(file, 'utf8')) as LegacySnapshot;
    writeSnapshot((writer) => {
      for (const kind of PERSISTED) for (const object of legacy.objects[kind] ?? []) writer.add(JSON.stringify({ s: kind, o: object }));
      for (const record of legacy.idempotency ?? []) writer.add(JSON.stringify({ i: record }));
    });
  }

  function isCurrentSnapshot(): boolean {
    const fd = openSnapshot();
    const header = `${SNAPSHOT_HEADER}\n`;
    return fstatSync(fd).size >= header.length && readAt(fd, 0, header.length).toString('utf8') === header;
  }

  function load() {
    mkdirSync(path.dirname(file), { recursive: true });
    // Left by a compaction a crash interrupted; the snapshot it was to replace is intact.
    rmSync(tmpFile, { force: true });
    if (existsSync(file)) {
      if (!isCurrentSnapshot()) upgradeLegacySnapshot();
      const fd = openSnapshot();
      for (const { text, offset, length } of readLines(fd)) if (length > 0) applyLine(text, offset, length);
      snapshotSize = fstatSync(fd).size;
    }
    if (existsSync(logFile)) {
      const fd = openLog();
      const lines = readLines(fd);
      let step = lines.next();
      for (; !step.done; step = lines.next()) {
        const { text, offset, length } = step.value;
        if (length > 0 && applyLine(text, snapshotSize + offset, length)) logLines++;
      }
      // A torn last line is cut off; the next append would otherwise continue it and be lost with it.
      if (step.value < fstatSync(fd).size) ftruncateSync(fd, step.value);
      logSize = step.value;
    }
  }

  /**
   * Copies the live lines into a new snapshot (objects kind by kind in insertion order, then the
   * unexpired idempotency records in creation order), one line at a time, then empties the log.
   */
  function compact() {
    const nextKinds = emptyIndexes();
    const nextRecords = new Map<string, RecordEntry>();
    const size = writeSnapshot((writer) => {
      for (const kind of PERSISTED) {
        const index = kinds[kind];
        const next = nextKinds[kind];
        for (const [id, slot] of index.slots) {
          const { location, length } = lineOf(index, slot);
          next.slots.set(id, next.locations.length);
          next.locations.push(writer.add(readBytes(location, length)));
          next.lengths.push(length);
        }
      }
      for (const [key, entry] of records) {
        if (!keepRecord(entry.createdAtMs)) continue;
        nextRecords.set(key, { ...entry, location: writer.add(readBytes(entry.location, entry.length)) });
      }
    });
    // The snapshot on disk is the new one from the rename on: the index follows it at once. The
    // log's lines are all in it now; if emptying the log fails, the next start replays them over
    // the snapshot, which changes nothing.
    kinds = nextKinds;
    records = nextRecords;
    snapshotSize = size;
    compactions++;
    ftruncateSync(openLog(), 0);
    logSize = 0;
    logLines = 0;
  }

  const compactIfDue = () => {
    if (logLines > held() + compactAfter) compact();
  };

  function* scanPersisted(kind: PersistedKind, options: ScanOptions): Generator<StoredObjects[PersistedKind]> {
    const step = options.newestFirst ? -1 : 1;
    /** The id last yielded (or `after`): where the walk resumes when a compaction renumbered the slots. */
    let cursor = options.after;
    let generation = -1;
    let slot = 0;
    for (;;) {
      const index = kinds[kind];
      if (generation !== compactions) {
        generation = compactions;
        if (cursor === undefined) slot = step > 0 ? 0 : index.lengths.length - 1;
        else {
          const at = index.slots.get(cursor);
          if (at === undefined) return;
          slot = at + step;
        }
      }
      if (slot < 0 || slot >= index.lengths.length) return;
      const { location, length } = lineOf(index, slot);
      slot += step;
      if (length === 0) continue;
      const object = (JSON.parse(readBytes(location, length).toString('utf8')) as { o: StoredObjects[PersistedKind] }).o;
      cursor = object.id;
      yield object;
    }
  }

  function scan<K extends StoredKind>(kind: K, options: ScanOptions = {}): Iterable<StoredObjects[K]> {
    // The lines of `kind` only ever hold StoredObjects[K], written by save().
    return isPersisted(kind) ? (scanPersisted(kind, options) as Iterable<StoredObjects[K]>) : memory.scan(kind, options);
  }

  load();

  return {
    persistent: true,
    save(kind, object) {
      if (!isPersisted(kind)) return memory.save(kind, object);
      const text = JSON.stringify({ s: kind, o: object });
      const { location, length } = append(text);
      place(kind, object.id, location, length);
      remember(`${kind} ${object.id}`, text);
      compactIfDue();
    },
    get<K extends StoredKind>(kind: K, id: string) {
      if (!isPersisted(kind)) return memory.get(kind, id);
      const text = lineText(kind, id);
      // Parsed afresh on every read, so the caller holds a copy of its own.
      return text === undefined ? undefined : (JSON.parse(text) as { o: StoredObjects[K] }).o;
    },
    list: (kind) => [...scan(kind)],
    scan,
    has: (kind, id) => (isPersisted(kind) ? kinds[kind].slots.has(id) : memory.has(kind, id)),
    count: (kind) => (isPersisted(kind) ? kinds[kind].slots.size : memory.count(kind)),
    remove(kind, id) {
      if (!isPersisted(kind)) return memory.remove(kind, id);
      if (!kinds[kind].slots.has(id)) return;
      append(JSON.stringify({ r: kind, id }));
      unplace(kind, id);
      compactIfDue();
    },
    getIdempotencyRecord(key) {
      const entry = records.get(key);
      return entry === undefined
        ? undefined
        : (JSON.parse(readBytes(entry.location, entry.length).toString('utf8')) as { i: IdempotencyRecord }).i;
    },
    saveIdempotencyRecord(record) {
      const { location, length } = append(JSON.stringify({ i: record }));
      placeRecord(record.key, { location, length, createdAtMs: record.createdAtMs });
      compactIfDue();
    },
    // Creation order, as in the memory store: stop at the first record young enough. The dropped
    // records' lines stay on disk until the next compaction leaves them out.
    pruneIdempotencyRecords: (cutoffMs) => dropCreatedBefore(records, cutoffMs),
    idempotencyCount: () => records.size,
    idempotencyRecords: () =>
      [...records.values()].map(
        (entry) => (JSON.parse(readBytes(entry.location, entry.length).toString('utf8')) as { i: IdempotencyRecord }).i,
      ),
    /** Makes the log durable and closes both files (reopened when next used); the sandbox calls it on close(). */
    flush() {
      if (logFd !== null) {
        fsyncSync(logFd);
        closeSync(logFd);
        logFd = null;
      }
      closeSnapshot();
    },
  };
}
