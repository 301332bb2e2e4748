/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and sums self time per function, over
 * the whole profile or over one time window (a measured run), so a missed goal can name what the
 * API process spent its core on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, on the monotonic clock (process.hrtime). */
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  fn: string;
  where: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled milliseconds in the window (the process's wall time there, idle included). */
  sampledMs: number;
  /** Share of the window the process was idle (waiting on I/O: the database, Redis, the network). */
  idleShare: number;
  top: SelfTime[];
  /** Self time by part of the code: a folder of src/, a package, Node's internals, GC. */
  areas: { area: string; ms: number; share: number }[];
}

export interface LoadedProfile {
  file: string;
  startUs: number;
  endUs: number;
  summarise(window?: { fromUs: number; toUs: number }, top?: number): ProfileSummary;
}

const repoRoot = path.resolve(import.meta.dirname, '..');

function label(frame: CallFrame): { fn: string; where: string } {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return { fn, where: '' };
  let where = frame.url.replace(/^file:\/\//, '');
  if (where.startsWith(repoRoot)) where = where.slice(repoRoot.length + 1);
  where = where.replace(/^.*node_modules\//, '');
  return { fn, where: `${where}:${frame.lineNumber + 1}` };
}

/** Which part of the code a frame belongs to, for a coarser view than single functions. */
function areaOf(fn: string, where: string): string {
  if (fn === '(garbage collector)') return 'garbage collector';
  if (!where) return fn === '(program)' ? 'V8 (program)' : 'native code (builtins, I/O)';
  if (where.startsWith('node:')) return 'Node.js internals';
  const src = /^(src|workers)\/([^/]+)\//.exec(where);
  if (src) return `${src[1]}/${src[2]}`;
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(where);
  return pkg?.[1] ?? where;
}

export function loadProfile(file: string): LoadedProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample stands for the time until the next one.
  const times = new Float64Array(samples.length);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    times[i] = t;
  }
  return {
    file,
    startUs: profile.startTime,
    endUs: profile.endTime,
    summarise(window, top = 15) {
      const selfUs = new Map<string, { fn: string; where: string; us: number }>();
      let totalUs = 0;
      let idleUs = 0;
      for (let i = 0; i < samples.length; i++) {
        const at = times[i] ?? 0;
        if (window && (at < window.fromUs || at >= window.toUs)) continue;
        const next = times[i + 1];
        const us = next === undefined ? 0 : next - at;
        const node = byId.get(samples[i] ?? -1);
        if (!node) continue;
        totalUs += us;
        const { fn, where } = label(node.callFrame);
        if (fn === '(idle)') idleUs += us;
        const key = `${fn} ${where}`;
        const entry = selfUs.get(key) ?? { fn, where, us: 0 };
        entry.us += us;
        selfUs.set(key, entry);
      }
      const busy = [...selfUs.values()].filter((e) => e.fn !== '(idle)').sort((a, b) => b.us - a.us);
      const areas = new Map<string, number>();
      for (const e of busy) areas.set(areaOf(e.fn, e.where), (areas.get(areaOf(e.fn, e.where)) ?? 0) + e.us);
      return {
        areas: [...areas.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([area, us]) => ({ area, ms: us / 1000, share: totalUs > 0 ? us / totalUs : 0 })),
        sampledMs: totalUs / 1000,
        idleShare: totalUs > 0 ? idleUs / totalUs : 0,
        top: busy.slice(0, top).map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, share: totalUs > 0 ? e.us / totalUs : 0 })),
      };
    },
  };
}
