/**
 * Slack Induction by String Removals (Christiaens & Vanden Berghe, Transportation Science 2020):
 * ruin a few strings of geographically close customers, rebuild by greedy insertion with
 * "blinks", accept by simulated annealing. All state lives in typed arrays; an iteration
 * allocates nothing.
 */
import type { CompiledInstance } from './instance.js';
import type { Rng } from './prng.js';
import { LocalSearch } from './local-search.js';
import { RouteState } from './route-state.js';

export interface SisrParams {
  /** Average number of removed customers (c̄). */
  avgRemoved: number;
  /** Maximum string length (L_max). */
  maxStringLength: number;
  /** Probability of skipping an insertion position (β). */
  blinkRate: number;
  /**
   * Split-string removal (chosen for half of the strings): probability of keeping one more
   * customer inside the removed string, so the number kept is geometric (mean 2 at 0.5).
   */
  splitRate: number;
  /** Start / final temperature as multiples of the mean arc cost of the first solution. */
  startTemperature: number;
  finalTemperature: number;
  /** Probability that a ruin step empties the whole route of the seed customer instead. */
  routeRemovalRate: number;
  /**
   * Probability that a recreate step starts by putting its first customer on an empty vehicle.
   * The mirror of route removal: greedy insertion alone almost never opens a route, because the
   * first customer pays the whole depot round trip before its neighbours can follow.
   */
  routeOpenRate: number;
  /** Polish every new best solution with relocate / 2-opt* local search. */
  localSearch: boolean;
  /**
   * Include intra-route relocate and 2-opt in that local search. Off by default: on R2/RC2 at
   * 2 s it cost more time than it gained (SISR's string reinsertion already reorders routes).
   */
  intraRouteSearch: boolean;
  /**
   * If > 0, a removed customer is only offered to routes that serve one of its this-many nearest
   * neighbours (plus empty vehicles). Keeps large instances fast; 0 = try every route.
   */
  candidateNeighbours: number;
}

export const DEFAULT_SISR_PARAMS: SisrParams = {
  avgRemoved: 10,
  maxStringLength: 10,
  blinkRate: 0.01,
  splitRate: 0.5,
  // Tuned on the hardest Solomon classes (R2/RC2/C2) at 2 s and 30 s: a final temperature of
  // 0.1 × mean arc keeps the walk moving until the end; whole-route removal (2 %) frees the
  // search from a spare vehicle that strings of ≤ 10 customers cannot empty (C202, C208).
  startTemperature: 1,
  finalTemperature: 0.1,
  routeRemovalRate: 0.02,
  routeOpenRate: 0.02,
  localSearch: true,
  intraRouteSearch: false,
  candidateNeighbours: 0,
};

/** Above this many stops the recreate step is restricted to nearby routes by default. */
export const GRANULAR_INSERTION_THRESHOLD = 300;

export class Sisr {
  readonly inst: CompiledInstance;
  readonly state: RouteState;
  readonly rng: Rng;
  readonly params: SisrParams;
  /** Customers currently not in any route. */
  readonly absent: Int32Array;
  absentCount = 0;
  /** Cost charged per absent customer, larger than serving it by a dedicated vehicle. */
  readonly penalty: number;
  private readonly localSearch: LocalSearch;

  // Undo log of one iteration.
  private readonly touched: Uint8Array;
  private readonly touchedList: Int32Array;
  private touchedCount = 0;
  private readonly backupSeq: Int32Array[];
  private readonly backupLen: Int32Array;
  private readonly savedAbsent: Int32Array;
  private savedAbsentCount = 0;

  // Best solution.
  readonly bestSeq: Int32Array[];
  readonly bestLen: Int32Array;
  bestCost = Infinity;
  bestAbsent = Infinity;

  // Scratch.
  private readonly removed: Int32Array;
  private removedCount = 0;
  private readonly sortKey: Float64Array;
  private readonly ruined: Uint8Array;
  private readonly emptyClassSeen: Int32Array;
  private classStamp = 0;
  private readonly candidateStamp: Int32Array;

  constructor(inst: CompiledInstance, rng: Rng, params: SisrParams = DEFAULT_SISR_PARAMS) {
    this.inst = inst;
    this.state = new RouteState(inst);
    this.rng = rng;
    this.params = params;
    const V = inst.vehicleCount;
    const size = inst.size;
    this.absent = new Int32Array(size);
    this.touched = new Uint8Array(V);
    this.touchedList = new Int32Array(V);
    this.backupSeq = Array.from({ length: V }, () => new Int32Array(size));
    this.backupLen = new Int32Array(V);
    this.savedAbsent = new Int32Array(size);
    this.bestSeq = Array.from({ length: V }, () => new Int32Array(size));
    this.bestLen = new Int32Array(V);
    this.removed = new Int32Array(size);
    this.sortKey = new Float64Array(size);
    this.ruined = new Uint8Array(V);
    this.emptyClassSeen = new Int32Array(inst.classCount);
    this.candidateStamp = new Int32Array(V);
    this.localSearch = new LocalSearch(inst, this.state, 20, params.intraRouteSearch);
    let maxRound = 0;
    let maxFixed = 0;
    for (let p = 0; p < inst.cost.length; p++) {
      const C = inst.cost[p]!;
      for (let i = 1; i < size; i++) {
        const rt = C[i]! + C[i * size]!;
        if (rt > maxRound && rt < 1e14) maxRound = rt;
      }
    }
    for (let v = 0; v < V; v++) maxFixed = Math.max(maxFixed, inst.vFixedCost[v]!);
    this.penalty = 2 * (maxRound + maxFixed) + 1;
  }

  currentCost(): number {
    return this.state.totalCost + this.penalty * this.absentCount;
  }

  /** Inserts every customer into an empty solution. */
  construct(): void {
    this.removedCount = 0;
    for (let c = 1; c <= this.inst.n; c++) this.removed[this.removedCount++] = c;
    this.absentCount = 0;
    this.recreate();
    if (this.params.localSearch) this.localSearch.run();
    this.state.resumCost();
    this.saveBest();
  }

  /** Lexicographic: fewer absent customers first, then cost. */
  private isBetterThanBest(): boolean {
    if (this.absentCount !== this.bestAbsent) return this.absentCount < this.bestAbsent;
    return this.state.totalCost < this.bestCost - 1e-9;
  }

  saveBest(): void {
    const st = this.state;
    this.bestCost = st.resumCost();
    this.bestAbsent = this.absentCount;
    for (let r = 0; r < this.inst.vehicleCount; r++) {
      const l = st.len[r]!;
      this.bestLen[r] = l;
      this.bestSeq[r]!.set(st.seq[r]!.subarray(0, l));
    }
  }

  /**
   * One ruin-and-recreate step with simulated-annealing acceptance at `temperature`.
   * Returns true when the step produced a new best solution.
   */
  iterate(temperature: number): boolean {
    const before = this.currentCost();
    this.beginUndo();
    this.ruin();
    this.recreate(true);
    const after = this.currentCost();
    // SA: accept if after < before - T ln U (U in (0,1]); ties and improvements always pass.
    const threshold = before - temperature * Math.log(1 - this.rng.next());
    if (after < threshold) {
      if (this.isBetterThanBest()) {
        // The polished solution also becomes the current one, so the walk continues from it.
        if (this.params.localSearch) this.localSearch.run();
        this.saveBest();
        return true;
      }
      return false;
    }
    this.undo();
    return false;
  }

  private beginUndo(): void {
    for (let i = 0; i < this.touchedCount; i++) this.touched[this.touchedList[i]!] = 0;
    this.touchedCount = 0;
    this.savedAbsent.set(this.absent.subarray(0, this.absentCount));
    this.savedAbsentCount = this.absentCount;
  }

  private touch(r: number): void {
    if (this.touched[r]) return;
    this.touched[r] = 1;
    this.touchedList[this.touchedCount++] = r;
    const l = this.state.len[r]!;
    this.backupLen[r] = l;
    this.backupSeq[r]!.set(this.state.seq[r]!.subarray(0, l));
  }

  private undo(): void {
    const st = this.state;
    for (let i = 0; i < this.touchedCount; i++) {
      const r = this.touchedList[i]!;
      st.setRoute(r, this.backupSeq[r]!, this.backupLen[r]!);
    }
    this.absent.set(this.savedAbsent.subarray(0, this.savedAbsentCount));
    this.absentCount = this.savedAbsentCount;
    for (let i = 0; i < this.absentCount; i++) st.routeOf[this.absent[i]!] = -1;
  }

  /** Restores the best solution into the working state (used at the end and for restarts). */
  restoreBest(): void {
    const st = this.state;
    const inRoute = new Uint8Array(this.inst.size);
    for (let r = 0; r < this.inst.vehicleCount; r++) {
      const l = this.bestLen[r]!;
      for (let i = 0; i < l; i++) inRoute[this.bestSeq[r]![i]!] = 1;
      st.setRoute(r, this.bestSeq[r]!, l);
    }
    this.absentCount = 0;
    for (let c = 1; c <= this.inst.n; c++) {
      if (!inRoute[c]) {
        st.routeOf[c] = -1;
        this.absent[this.absentCount++] = c;
      }
    }
    st.resumCost();
  }

  private ruin(): void {
    const inst = this.inst;
    const st = this.state;
    const rng = this.rng;
    const V = inst.vehicleCount;
    const { avgRemoved, maxStringLength } = this.params;
    this.removedCount = 0;
    // Previously unserved customers are always re-offered to the recreate step.
    for (let i = 0; i < this.absentCount; i++) this.removed[this.removedCount++] = this.absent[i]!;
    this.absentCount = 0;

    let used = 0;
    let served = 0;
    for (let r = 0; r < V; r++) {
      this.ruined[r] = 0;
      if (st.len[r]! > 0) {
        used++;
        served += st.len[r]!;
      }
    }
    if (used === 0) return;
    const lsMax = Math.min(maxStringLength, served / used);
    const ksMax = (4 * avgRemoved) / (1 + lsMax) - 1;
    const ks = Math.floor(rng.next() * ksMax) + 1;
    const seed = 1 + rng.int(inst.n);
    const K = inst.neighbourCount;
    const seedRoute = st.routeOf[seed]!;
    if (seedRoute >= 0 && rng.next() < this.params.routeRemovalRate) {
      // Whole-route removal lets the search drop a vehicle when strings are shorter than routes.
      this.touch(seedRoute);
      const seq = st.seq[seedRoute]!;
      for (let i = 0; i < st.len[seedRoute]!; i++) {
        st.routeOf[seq[i]!] = -1;
        this.removed[this.removedCount++] = seq[i]!;
      }
      st.compactRoute(seedRoute);
      return;
    }
    let done = 0;
    for (let k = -1; k < K && done < ks; k++) {
      const c = k < 0 ? seed : inst.neighbours[seed * K + k]!;
      const r = st.routeOf[c]!;
      if (r < 0 || this.ruined[r]) continue;
      this.ruined[r] = 1;
      this.touch(r);
      const len = st.len[r]!;
      const lMax = Math.min(len, lsMax);
      const l = Math.floor(rng.next() * lMax) + 1;
      if (l === len || rng.next() < 0.5) this.removeString(r, c, l);
      else this.removeSplitString(r, c, l);
      done++;
    }
  }

  private removeString(r: number, c: number, l: number): void {
    const st = this.state;
    const len = st.len[r]!;
    const pos = st.posOf[c]!;
    const lo = Math.max(0, pos - l + 1);
    const hi = Math.min(pos, len - l);
    const start = lo + this.rng.int(hi - lo + 1);
    const seq = st.seq[r]!;
    for (let i = start; i < start + l; i++) {
      const node = seq[i]!;
      st.routeOf[node] = -1;
      this.removed[this.removedCount++] = node;
    }
    st.compactRoute(r);
  }

  /** Picks a string of l + m customers around c and removes all but m consecutive ones. */
  private removeSplitString(r: number, c: number, l: number): void {
    const st = this.state;
    const rng = this.rng;
    const len = st.len[r]!;
    let m = 1;
    while (l + m < len && rng.next() < this.params.splitRate) m++;
    const total = l + m;
    const pos = st.posOf[c]!;
    const lo = Math.max(0, pos - total + 1);
    const hi = Math.min(pos, len - total);
    const start = lo + rng.int(hi - lo + 1);
    const keepStart = start + rng.int(l + 1);
    const seq = st.seq[r]!;
    for (let i = start; i < start + total; i++) {
      if (i >= keepStart && i < keepStart + m) continue;
      const node = seq[i]!;
      st.routeOf[node] = -1;
      this.removed[this.removedCount++] = node;
    }
    st.compactRoute(r);
  }

  private sortRemoved(): void {
    const inst = this.inst;
    const rng = this.rng;
    const list = this.removed;
    const cnt = this.removedCount;
    // Shuffle first so ties (and the "random" order) are broken by the PRNG.
    for (let i = cnt - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = list[i]!;
      list[i] = list[j]!;
      list[j] = t;
    }
    const u = rng.next() * 11;
    if (u < 4) return;
    const key = this.sortKey;
    const C = inst.cost[0]!;
    const S = inst.size;
    for (let i = 0; i < cnt; i++) {
      const c = list[i]!;
      // Sort ascending by key: demand desc (4/11), far-from-depot first (2/11), close first (1/11).
      key[c] = u < 8 ? -inst.demand[c]! : u < 10 ? -C[c]! - C[c * S]! : C[c]! + C[c * S]!;
    }
    for (let i = 1; i < cnt; i++) {
      const c = list[i]!;
      const kc = key[c]!;
      let j = i - 1;
      while (j >= 0 && key[list[j]!]! > kc) {
        list[j + 1] = list[j]!;
        j--;
      }
      list[j + 1] = c;
    }
  }

  private recreate(mayOpenRoute = false): void {
    this.sortRemoved();
    let i = 0;
    if (mayOpenRoute && this.removedCount > 0 && this.rng.next() < this.params.routeOpenRate) {
      if (this.insertBest(this.removed[0]!, true)) i = 1;
    }
    for (; i < this.removedCount; i++) {
      const c = this.removed[i]!;
      if (!this.insertBest(c, false)) this.absent[this.absentCount++] = c;
    }
  }

  /** Cheapest feasible insertion of c with blinks; returns false if nowhere feasible. */
  private insertBest(c: number, onlyEmpty: boolean): boolean {
    const inst = this.inst;
    const st = this.state;
    const rng = this.rng;
    const V = inst.vehicleCount;
    const S = inst.size;
    const blink = this.params.blinkRate;
    const { service, demand, twStart, twOpen, twClose, allowed } = inst;
    const es = st.es;
    const la = st.la;
    const dem = demand[c]!;
    const svcC = service[c]!;
    const kc0 = twStart[c]!;
    const kc1 = twStart[c + 1]!;
    const lastClose = twClose[kc1 - 1]!;
    let bestDelta = Infinity;
    let bestRoute = -1;
    let bestPos = -1;
    this.classStamp++;
    const stamp = this.classStamp;
    let G = Math.min(this.params.candidateNeighbours, inst.neighbourCount);
    if (G > 0) {
      const K = inst.neighbourCount;
      let found = false;
      for (let k = 0; k < G; k++) {
        const r = st.routeOf[inst.neighbours[c * K + k]!]!;
        if (r >= 0) {
          this.candidateStamp[r] = stamp;
          found = true;
        }
      }
      if (!found) G = 0; // no neighbour is routed yet (construction): fall back to every route
    }
    for (let r = 0; r < V; r++) {
      if (!allowed[c * V + r]) continue;
      if (G > 0 && st.len[r]! > 0 && this.candidateStamp[r] !== stamp) continue;
      if (st.load[r]! + dem > inst.vCapacity[r]!) continue;
      const len = st.len[r]!;
      if (onlyEmpty && len > 0) continue;
      if (len === 0) {
        const cls = inst.vClass[r]!;
        if (this.emptyClassSeen[cls] === stamp) continue;
        this.emptyClassSeen[cls] = stamp;
      }
      const p = inst.vProfile[r]!;
      const T = inst.time[p]!;
      const D = inst.dist[p]!;
      const C = inst.cost[p]!;
      const seq = st.seq[r]!;
      const maxDist = inst.vMaxDistance[r]!;
      const routeDist = st.dist[r]!;
      const extra = len === 0 ? inst.vFixedCost[r]! : 0;
      let prev = 0;
      let dep = inst.vShiftStart[r]!;
      for (let i = 0; i <= len; i++) {
        if (dep > lastClose) break; // departures only grow along a route
        const next = i < len ? seq[i]! : 0;
        // Cost first: most positions cannot beat the best so far, and the cost test is cheaper
        // than the window test. (Same outcome and RNG use as testing windows first.)
        const delta = C[prev * S + c]! + C[c * S + next]! - C[prev * S + next]! + extra;
        if (delta < bestDelta) {
          const arr = dep + T[prev * S + c]!;
          let st0 = Infinity;
          for (let k = kc0; k < kc1; k++) {
            if (arr <= twClose[k]!) {
              const o = twOpen[k]!;
              st0 = arr > o ? arr : o;
              break;
            }
          }
          if (
            st0 !== Infinity &&
            st0 + svcC + T[c * S + next]! <= (i < len ? la[next]! : inst.vShiftEnd[r]!) &&
            (blink === 0 || rng.next() >= blink) &&
            routeDist + D[prev * S + c]! + D[c * S + next]! - D[prev * S + next]! <= maxDist
          ) {
            bestDelta = delta;
            bestRoute = r;
            bestPos = i;
          }
        }
        if (i < len) {
          dep = es[next]! + service[next]!;
          prev = next;
        }
      }
    }
    if (bestRoute < 0) return false;
    this.touch(bestRoute);
    st.insert(c, bestRoute, bestPos);
    return true;
  }
}
