import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineWriter, readAt, readLines } from '../../src/stripe-sandbox/json-lines.ts';

describe('JSON lines by byte position', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reads lines across its 1 MiB reads and longer than them, at the offsets the writer gave', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'json-lines-'));
    dirs.push(dir);
    const file = path.join(dir, 'lines');
    // Short lines with multi-byte characters around a line of 3 MiB: boundaries fall mid-line.
    const lines = [
      ...Array.from({ length: 3_000 }, (_, i) => JSON.stringify({ i, text: 'ä€'.repeat(i % 200) })),
      'x'.repeat(3 * (1 << 20)),
      'last',
    ];
    const writer = createLineWriter(file);
    const offsets = lines.map((line) => writer.add(line));
    const size = writer.finish();

    const fd = openSync(file, 'r');
    try {
      const read = readLines(fd);
      const found = [];
      let step = read.next();
      for (; !step.done; step = read.next()) found.push(step.value);
      expect(step.value).toBe(size);
      expect(found.map((line) => line.text)).toEqual(lines);
      expect(found.map((line) => line.offset)).toEqual(offsets);
      const at = found[1234];
      expect(at && readAt(fd, at.offset, at.length).toString('utf8')).toBe(lines[1234]);
    } finally {
      closeSync(fd);
    }
  });
});
