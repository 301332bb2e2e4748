/**
 * Granular first-improvement local search: inter-route relocate and 2-opt* (tail exchange),
 * optionally intra-route relocate and 2-opt.
 * Candidate moves come from each customer's nearest neighbours; every move is checked in O(1)
 * from the schedule arrays of {@link RouteState} (earliest start forward, latest arrival
 * backward, prefix load and distance). Used to polish each new best solution of SISR, which
 * rebuilds customers one at a time and so rarely finds tail exchanges by itself.
 */
import type { CompiledInstance } from './instance.js';
import type { RouteState } from './route-state.js';

const IMPROVEMENT_EPS = 1e-9;

export class LocalSearch {
  private readonly inst: CompiledInstance;
  private readonly state: RouteState;
  private readonly granularity: number;
  private readonly bufA: Int32Array;
  private readonly bufB: Int32Array;

  private readonly intraRoute: boolean;

  constructor(inst: CompiledInstance, state: RouteState, granularity = 20, intraRoute = false) {
    this.inst = inst;
    this.intraRoute = intraRoute;
    this.state = state;
    this.granularity = Math.min(granularity, inst.neighbourCount);
    this.bufA = new Int32Array(inst.size);
    this.bufB = new Int32Array(inst.size);
  }

  /** Applies improving moves until none is left (or `maxPasses`); returns the number applied. */
  run(maxPasses = 50): number {
    let applied = 0;
    for (let pass = 0; pass < maxPasses; pass++) {
      let improved = false;
      for (let c = 1; c <= this.inst.n; c++) {
        if (this.state.routeOf[c]! < 0) continue;
        if (this.tryRelocate(c) || this.tryTwoOptStar(c) || (this.intraRoute && this.tryIntraRoute(c))) {
          improved = true;
          applied++;
        }
      }
      if (!improved) break;
    }
    return applied;
  }

  /** Departure time from the node at position `pos` of route r (`-1` = depot). */
  private departure(r: number, node: number): number {
    return node === 0 ? this.inst.vShiftStart[r]! : this.state.es[node]! + this.inst.service[node]!;
  }

  /** Latest feasible arrival at `node` in route r (`0` = the route's return to the depot). */
  private latest(r: number, node: number): number {
    return node === 0 ? this.inst.vShiftEnd[r]! : this.state.la[node]!;
  }

  /** Start of service at c when arriving at `arr`, or Infinity if every window has closed. */
  private startAt(c: number, arr: number): number {
    const { twStart, twOpen, twClose } = this.inst;
    for (let k = twStart[c]!, k1 = twStart[c + 1]!; k < k1; k++) {
      if (arr <= twClose[k]!) return Math.max(arr, twOpen[k]!);
    }
    return Infinity;
  }

  /** Moves c next to one of its neighbours in another route, before or after it. */
  private tryRelocate(c: number): boolean {
    const inst = this.inst;
    const st = this.state;
    const S = inst.size;
    const V = inst.vehicleCount;
    const ra = st.routeOf[c]!;
    const seqA = st.seq[ra]!;
    const lenA = st.len[ra]!;
    const posC = st.posOf[c]!;
    const predC = posC > 0 ? seqA[posC - 1]! : 0;
    const succC = posC < lenA - 1 ? seqA[posC + 1]! : 0;
    const pa = inst.vProfile[ra]!;
    const TA = inst.time[pa]!;
    const CA = inst.cost[pa]!;
    // Removing c must leave route A feasible (not implied without the triangle inequality).
    if (this.departure(ra, predC) + TA[predC * S + succC]! > this.latest(ra, succC)) return false;
    const gain = CA[predC * S + c]! + CA[c * S + succC]! - CA[predC * S + succC]! + (lenA === 1 ? inst.vFixedCost[ra]! : 0);
    const dem = inst.demand[c]!;
    const svc = inst.service[c]!;
    const K = this.granularity;
    for (let k = 0; k < K; k++) {
      const d = inst.neighbours[c * inst.neighbourCount + k]!;
      const rb = st.routeOf[d]!;
      if (rb < 0 || rb === ra) continue;
      if (!inst.allowed[c * V + rb] || st.load[rb]! + dem > inst.vCapacity[rb]!) continue;
      const pb = inst.vProfile[rb]!;
      const TB = inst.time[pb]!;
      const DB = inst.dist[pb]!;
      const CB = inst.cost[pb]!;
      const seqB = st.seq[rb]!;
      const lenB = st.len[rb]!;
      const posD = st.posOf[d]!;
      // Two candidate slots: right after d, right before d.
      for (let side = 0; side < 2; side++) {
        const prev = side === 0 ? d : posD > 0 ? seqB[posD - 1]! : 0;
        const next = side === 0 ? (posD < lenB - 1 ? seqB[posD + 1]! : 0) : d;
        const delta = CB[prev * S + c]! + CB[c * S + next]! - CB[prev * S + next]! - gain;
        if (delta >= -IMPROVEMENT_EPS) continue;
        const start = this.startAt(c, this.departure(rb, prev) + TB[prev * S + c]!);
        if (start === Infinity || start + svc + TB[c * S + next]! > this.latest(rb, next)) continue;
        if (st.dist[rb]! + DB[prev * S + c]! + DB[c * S + next]! - DB[prev * S + next]! > inst.vMaxDistance[rb]!) continue;
        // Apply: remove from A, insert into B.
        st.routeOf[c] = -1;
        st.compactRoute(ra);
        st.insert(c, rb, side === 0 ? st.posOf[d]! + 1 : st.posOf[d]!);
        return true;
      }
    }
    return false;
  }

  /**
   * Exchanges route tails so that c is followed by a neighbour d of another route
   * (A = a..c | c+1.., B = ..d-1 | d.. → A' = a..c d.., B' = ..d-1 c+1..), or preceded by it.
   * Only between vehicles of one class: the suffix data (`la`, prefix sums) were computed for
   * that class's profile, shift and permissions.
   */
  private tryTwoOptStar(c: number): boolean {
    const inst = this.inst;
    const st = this.state;
    const ra = st.routeOf[c]!;
    const K = this.granularity;
    for (let k = 0; k < K; k++) {
      const d = inst.neighbours[c * inst.neighbourCount + k]!;
      const rb = st.routeOf[d]!;
      if (rb < 0 || rb === ra || inst.vClass[rb] !== inst.vClass[ra]) continue;
      // New arc c → d: A keeps up to c, B keeps up to pred(d).
      if (this.tryTailExchange(ra, st.posOf[c]!, rb, st.posOf[d]! - 1)) return true;
      // New arc d → c: B keeps up to d, A keeps up to pred(c).
      if (this.tryTailExchange(ra, st.posOf[c]! - 1, rb, st.posOf[d]!)) return true;
    }
    return false;
  }

  /** A' = A[0..i] + B[j+1..], B' = B[0..j] + A[i+1..]; i or j = -1 means "from the depot". */
  private tryTailExchange(ra: number, i: number, rb: number, j: number): boolean {
    const inst = this.inst;
    const st = this.state;
    const S = inst.size;
    const p = inst.vProfile[ra]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    const C = inst.cost[p]!;
    const seqA = st.seq[ra]!;
    const seqB = st.seq[rb]!;
    const lenA = st.len[ra]!;
    const lenB = st.len[rb]!;
    const a = i >= 0 ? seqA[i]! : 0;
    const a1 = i + 1 < lenA ? seqA[i + 1]! : 0;
    const b = j >= 0 ? seqB[j]! : 0;
    const b1 = j + 1 < lenB ? seqB[j + 1]! : 0;
    if (a === 0 && b === 0) return false; // would just swap the vehicles
    if (a1 === 0 && b1 === 0) return false;
    const emptyA = i < 0 && j + 1 >= lenB;
    const emptyB = j < 0 && i + 1 >= lenA;
    const fixed = inst.vFixedCost[ra]!;
    const delta = C[a * S + b1]! + C[b * S + a1]! - C[a * S + a1]! - C[b * S + b1]! - (emptyA ? fixed : 0) - (emptyB ? fixed : 0);
    if (delta >= -IMPROVEMENT_EPS) return false;
    // Time: each new junction must reach the moved tail before its latest arrival.
    if (this.departure(ra, a) + T[a * S + b1]! > this.latest(rb, b1)) return false;
    if (this.departure(rb, b) + T[b * S + a1]! > this.latest(ra, a1)) return false;
    const cap = inst.vCapacity[ra]!;
    const qa = a === 0 ? 0 : st.loadPrefix[a]!;
    const qb = b === 0 ? 0 : st.loadPrefix[b]!;
    if (qa + st.load[rb]! - qb > cap || qb + st.load[ra]! - qa > cap) return false;
    const da = a === 0 ? 0 : st.distPrefix[a]!;
    const db = b === 0 ? 0 : st.distPrefix[b]!;
    const tailA = a1 === 0 ? 0 : st.dist[ra]! - st.distPrefix[a1]!;
    const tailB = b1 === 0 ? 0 : st.dist[rb]! - st.distPrefix[b1]!;
    const maxDist = inst.vMaxDistance[ra]!;
    if (da + D[a * S + b1]! + tailB > maxDist || db + D[b * S + a1]! + tailA > maxDist) return false;
    let na = 0;
    for (let x = 0; x <= i; x++) this.bufA[na++] = seqA[x]!;
    for (let x = j + 1; x < lenB; x++) this.bufA[na++] = seqB[x]!;
    let nb = 0;
    for (let x = 0; x <= j; x++) this.bufB[nb++] = seqB[x]!;
    for (let x = i + 1; x < lenA; x++) this.bufB[nb++] = seqA[x]!;
    st.setRoute(ra, this.bufA, na);
    st.setRoute(rb, this.bufB, nb);
    return true;
  }

  /**
   * Intra-route moves towards a neighbour d of the same route: relocate c next to d (or-opt of
   * one customer) and 2-opt (reverse the path between c and d). The cost change is computed
   * from arcs first; only an improving candidate is simulated in O(route length).
   */
  private tryIntraRoute(c: number): boolean {
    const inst = this.inst;
    const st = this.state;
    const r = st.routeOf[c]!;
    const len = st.len[r]!;
    if (len < 3) return false;
    const S = inst.size;
    const C = inst.cost[inst.vProfile[r]!]!;
    const seq = st.seq[r]!;
    const p = st.posOf[c]!;
    const pc = p > 0 ? seq[p - 1]! : 0;
    const sc = p < len - 1 ? seq[p + 1]! : 0;
    const gain = C[pc * S + c]! + C[c * S + sc]! - C[pc * S + sc]!;
    const K = this.granularity;
    for (let k = 0; k < K; k++) {
      const d = inst.neighbours[c * inst.neighbourCount + k]!;
      if (st.routeOf[d] !== r) continue;
      const q = st.posOf[d]!;
      // Relocate c right after d, then right before d.
      for (let side = 0; side < 2; side++) {
        const x = side === 0 ? d : q > 0 ? seq[q - 1]! : 0;
        const y = side === 0 ? (q < len - 1 ? seq[q + 1]! : 0) : d;
        if (x === c || y === c) continue;
        const delta = C[x * S + c]! + C[c * S + y]! - C[x * S + y]! - gain;
        if (delta >= -IMPROVEMENT_EPS) continue;
        let m = 0;
        for (let i = 0; i < len; i++) {
          const node = seq[i]!;
          if (node === c) continue;
          if (side === 1 && node === d) this.bufA[m++] = c;
          this.bufA[m++] = node;
          if (side === 0 && node === d) this.bufA[m++] = c;
        }
        if (this.applyIfBetter(r, m)) return true;
      }
      // 2-opt: with c and d at positions lo < hi, reversing lo+1..hi makes seq[lo] → seq[hi]
      // an arc. Estimated from the two replaced arcs; the simulation takes the exact cost
      // (matrices need not be symmetric).
      const lo = p < q ? p : q;
      const hi = p < q ? q : p;
      if (hi - lo < 2) continue;
      const a = seq[lo]!;
      const a1 = seq[lo + 1]!;
      const b = seq[hi]!;
      const b1 = hi < len - 1 ? seq[hi + 1]! : 0;
      const estimate = C[a * S + b]! + C[a1 * S + b1]! - C[a * S + a1]! - C[b * S + b1]!;
      if (estimate >= -IMPROVEMENT_EPS) continue;
      let m = 0;
      for (let i = 0; i <= lo; i++) this.bufA[m++] = seq[i]!;
      for (let i = hi; i > lo; i--) this.bufA[m++] = seq[i]!;
      for (let i = hi + 1; i < len; i++) this.bufA[m++] = seq[i]!;
      if (this.applyIfBetter(r, m)) return true;
    }
    return false;
  }

  /** Simulates `bufA[0..m)` on vehicle r; installs it if feasible and strictly cheaper. */
  private applyIfBetter(r: number, m: number): boolean {
    const inst = this.inst;
    const S = inst.size;
    const p = inst.vProfile[r]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    const C = inst.cost[p]!;
    const { service, twStart, twOpen, twClose } = inst;
    let t = inst.vShiftStart[r]!;
    let prev = 0;
    let cost = 0;
    let dist = 0;
    for (let i = 0; i <= m; i++) {
      const node = i < m ? this.bufA[i]! : 0;
      const arr = t + T[prev * S + node]!;
      cost += C[prev * S + node]!;
      dist += D[prev * S + node]!;
      prev = node;
      if (node === 0) {
        if (arr > inst.vShiftEnd[r]!) return false;
        break;
      }
      let start = Infinity;
      for (let k = twStart[node]!, k1 = twStart[node + 1]!; k < k1; k++) {
        if (arr <= twClose[k]!) {
          start = arr > twOpen[k]! ? arr : twOpen[k]!;
          break;
        }
      }
      if (start === Infinity) return false;
      t = start + service[node]!;
    }
    if (dist > inst.vMaxDistance[r]!) return false;
    if (cost + inst.vFixedCost[r]! >= this.state.cost[r]! - IMPROVEMENT_EPS) return false;
    this.state.setRoute(r, this.bufA, m);
    return true;
  }
}
