import { closeSync, fsyncSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/**
 * Reading and writing files of JSON lines by byte position, for the file store: lines are read
 * in chunks (never a whole file at once), read back one at a time at a known offset, and written
 * through a buffer of bounded size.
 */

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface LineAt {
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** Length in bytes, without the newline. */
  length: number;
  text: string;
}

/**
 * The complete lines of an open file, first to last, read 1 MiB at a time (a longer line grows
 * the buffer). Returns the byte offset after the last complete line: anything after it is the
 * torn end of a write a crash interrupted.
 */
export function* readLines(fd: number): Generator<LineAt, number> {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  /** File offset of buffer[0], and how many bytes of the buffer hold file data. */
  let start = 0;
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, start + filled);
    if (read === 0) return start;
    filled += read;
    const data = buffer.subarray(0, filled);
    let lineStart = 0;
    for (let end = data.indexOf(NEWLINE, lineStart); end !== -1; end = data.indexOf(NEWLINE, lineStart)) {
      yield { offset: start + lineStart, length: end - lineStart, text: data.toString('utf8', lineStart, end) };
      lineStart = end + 1;
    }
    // The incomplete rest moves to the front; the next read completes it.
    buffer.copy(buffer, 0, lineStart, filled);
    start += lineStart;
    filled -= lineStart;
  }
}

/** `length` bytes at `offset` of an open file. */
export function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  for (let done = 0; done < length;) {
    const read = readSync(fd, buffer, done, length - done, offset + done);
    if (read === 0) throw new Error(`JSON lines: the file ends before byte ${offset + length}`);
    done += read;
  }
  return buffer;
}

/** Writes all of `bytes` at the file's current position (its end, for a file opened to append). */
export function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

export interface LineWriter {
  /** Adds a line (without its newline) and says at which byte offset it starts. */
  add(line: Buffer | string): number;
  /** Writes what is buffered, makes it durable (fsync) and closes the file; returns its size. */
  finish(): number;
  /** Closes and deletes the unfinished file. */
  abandon(): void;
}

/** A new file (replacing any of that name) written line by line through a buffer of about 1 MiB. */
export function createLineWriter(file: string): LineWriter {
  const fd = openSync(file, 'w');
  let chunks: Buffer[] = [];
  let buffered = 0;
  let size = 0;
  const newline = Buffer.from('\n');
  const drain = () => {
    writeAll(fd, Buffer.concat(chunks, buffered));
    chunks = [];
    buffered = 0;
  };
  return {
    add(line) {
      const bytes = typeof line === 'string' ? Buffer.from(line) : line;
      const offset = size;
      chunks.push(bytes, newline);
      buffered += bytes.length + 1;
      size += bytes.length + 1;
      if (buffered >= CHUNK_BYTES) drain();
      return offset;
    },
    finish() {
      drain();
      fsyncSync(fd);
      closeSync(fd);
      return size;
    },
    abandon() {
      closeSync(fd);
      rmSync(file, { force: true });
    },
  };
}
