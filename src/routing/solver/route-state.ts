/**
 * Mutable route set with the per-node schedule data that makes insertion checks O(1):
 * `es[node]` is the earliest service start given the route prefix, `la[node]` the latest arrival
 * at which the route suffix (windows, shift end) is still feasible. Inserting `c` between `p` and
 * `s` is time-feasible iff `c` can start in a window after leaving `p` and the resulting arrival at
 * `s` is ≤ `la[s]` (waiting is allowed, so earlier is never worse).
 */
import type { CompiledInstance } from './instance.js';

export class RouteState {
  readonly inst: CompiledInstance;
  /** Customers of route r (= vehicle r) are `seq[r][0 .. len[r])`; depot is implicit. */
  readonly seq: Int32Array[];
  readonly len: Int32Array;
  readonly load: Float64Array;
  readonly dist: Float64Array;
  /** Travel cost of the route plus its fixed cost (0 when empty). */
  readonly cost: Float64Array;
  readonly es: Float64Array;
  readonly la: Float64Array;
  readonly routeOf: Int32Array;
  readonly posOf: Int32Array;
  /** Load picked up to and including the node; distance driven to reach the node. */
  readonly loadPrefix: Float64Array;
  readonly distPrefix: Float64Array;
  /** Sum of `cost`, kept incrementally and re-summed exactly by {@link resumCost}. */
  totalCost = 0;

  constructor(inst: CompiledInstance) {
    this.inst = inst;
    const V = inst.vehicleCount;
    this.seq = Array.from({ length: V }, () => new Int32Array(inst.n + 1));
    this.len = new Int32Array(V);
    this.load = new Float64Array(V);
    this.dist = new Float64Array(V);
    this.cost = new Float64Array(V);
    this.es = new Float64Array(inst.size);
    this.la = new Float64Array(inst.size);
    this.routeOf = new Int32Array(inst.size).fill(-1);
    this.posOf = new Int32Array(inst.size);
    this.loadPrefix = new Float64Array(inst.size);
    this.distPrefix = new Float64Array(inst.size);
  }

  /** Recomputes schedule, load, distance and cost of route r from its sequence. */
  updateRoute(r: number): void {
    const inst = this.inst;
    const S = inst.size;
    const p = inst.vProfile[r]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    const C = inst.cost[p]!;
    const seq = this.seq[r]!;
    const len = this.len[r]!;
    const { service, demand, twStart, twOpen, twClose } = inst;
    const es = this.es;
    const la = this.la;
    let t = inst.vShiftStart[r]!;
    let prev = 0;
    let d = 0;
    let c = 0;
    let load = 0;
    for (let i = 0; i < len; i++) {
      const node = seq[i]!;
      const arr = t + T[prev * S + node]!;
      let st = Infinity;
      for (let k = twStart[node]!, k1 = twStart[node + 1]!; k < k1; k++) {
        if (arr <= twClose[k]!) {
          const o = twOpen[k]!;
          st = arr > o ? arr : o;
          break;
        }
      }
      es[node] = st;
      t = st + service[node]!;
      d += D[prev * S + node]!;
      c += C[prev * S + node]!;
      load += demand[node]!;
      this.loadPrefix[node] = load;
      this.distPrefix[node] = d;
      this.routeOf[node] = r;
      this.posOf[node] = i;
      prev = node;
    }
    d += D[prev * S]!;
    c += C[prev * S]!;
    let L = inst.vShiftEnd[r]!;
    let next = 0;
    for (let i = len - 1; i >= 0; i--) {
      const node = seq[i]!;
      const limit = L - T[node * S + next]! - service[node]!;
      let latest = -Infinity;
      for (let k = twStart[node + 1]! - 1, k0 = twStart[node]!; k >= k0; k--) {
        if (twOpen[k]! <= limit) {
          const cl = twClose[k]!;
          latest = limit < cl ? limit : cl;
          break;
        }
      }
      la[node] = latest;
      L = latest;
      next = node;
    }
    this.load[r] = load;
    this.dist[r] = len > 0 ? d : 0;
    const newCost = len > 0 ? c + inst.vFixedCost[r]! : 0;
    this.totalCost += newCost - this.cost[r]!;
    this.cost[r] = newCost;
  }

  /**
   * Inserts `node` at `pos` of route r. Only the schedule around the insertion changes: earliest
   * starts are pushed forward until they stop changing, latest arrivals backward likewise, so
   * this is usually much cheaper than a full {@link updateRoute}.
   */
  insert(node: number, r: number, pos: number): void {
    const inst = this.inst;
    const S = inst.size;
    const seq = this.seq[r]!;
    const len = this.len[r]! + 1;
    seq.copyWithin(pos + 1, pos, len - 1);
    seq[pos] = node;
    this.len[r] = len;
    const routeOf = this.routeOf;
    const posOf = this.posOf;
    routeOf[node] = r;
    const p = inst.vProfile[r]!;
    const T = inst.time[p]!;
    const D = inst.dist[p]!;
    const C = inst.cost[p]!;
    const { service, demand, twStart, twOpen, twClose } = inst;
    const loadPrefix = this.loadPrefix;
    const distPrefix = this.distPrefix;
    {
      let prevN = pos > 0 ? seq[pos - 1]! : 0;
      let q = pos > 0 ? loadPrefix[prevN]! : 0;
      let dd = pos > 0 ? distPrefix[prevN]! : 0;
      for (let i = pos; i < len; i++) {
        const nd = seq[i]!;
        posOf[nd] = i;
        q += demand[nd]!;
        dd += D[prevN * S + nd]!;
        loadPrefix[nd] = q;
        distPrefix[nd] = dd;
        prevN = nd;
      }
    }

    const es = this.es;
    const la = this.la;
    const prevNode = pos > 0 ? seq[pos - 1]! : 0;
    const nextNode = pos < len - 1 ? seq[pos + 1]! : 0;

    // Forward: earliest service starts from pos on.
    let t = pos > 0 ? es[prevNode]! + service[prevNode]! : inst.vShiftStart[r]!;
    let prev = prevNode;
    for (let i = pos; i < len; i++) {
      const nd = seq[i]!;
      const arr = t + T[prev * S + nd]!;
      let st = Infinity;
      for (let k = twStart[nd]!, k1 = twStart[nd + 1]!; k < k1; k++) {
        if (arr <= twClose[k]!) {
          const o = twOpen[k]!;
          st = arr > o ? arr : o;
          break;
        }
      }
      if (i > pos && st === es[nd]) break; // the rest of the schedule is unchanged
      es[nd] = st;
      t = st + service[nd]!;
      prev = nd;
    }
    // Backward: latest arrivals from pos down to the start.
    let L = pos < len - 1 ? la[nextNode]! : inst.vShiftEnd[r]!;
    let next = nextNode;
    for (let i = pos; i >= 0; i--) {
      const nd = seq[i]!;
      const limit = L - T[nd * S + next]! - service[nd]!;
      let latest = -Infinity;
      for (let k = twStart[nd + 1]! - 1, k0 = twStart[nd]!; k >= k0; k--) {
        if (twOpen[k]! <= limit) {
          const cl = twClose[k]!;
          latest = limit < cl ? limit : cl;
          break;
        }
      }
      if (i < pos && latest === la[nd]) break;
      la[nd] = latest;
      L = latest;
      next = nd;
    }
    this.load[r] = this.load[r]! + demand[node]!;
    const a = prevNode * S + node;
    const b = node * S + nextNode;
    const ab = prevNode * S + nextNode;
    this.dist[r] = this.dist[r]! + D[a]! + D[b]! - D[ab]!;
    const dc = C[a]! + C[b]! - C[ab]! + (len === 1 ? inst.vFixedCost[r]! : 0);
    this.cost[r] = this.cost[r]! + dc;
    this.totalCost += dc;
  }

  /** Drops every customer of route r whose `routeOf` was set to -1 by the caller, then updates. */
  compactRoute(r: number): void {
    const seq = this.seq[r]!;
    const len = this.len[r]!;
    let w = 0;
    for (let i = 0; i < len; i++) {
      const node = seq[i]!;
      if (this.routeOf[node] === r) seq[w++] = node;
    }
    this.len[r] = w;
    this.updateRoute(r);
  }

  setRoute(r: number, nodes: ArrayLike<number>, count: number): void {
    const seq = this.seq[r]!;
    for (let i = 0; i < count; i++) seq[i] = nodes[i]!;
    this.len[r] = count;
    this.updateRoute(r);
  }

  /** Re-sums every route exactly (incremental insertions accumulate rounding noise). */
  resumCost(): number {
    for (let r = 0; r < this.cost.length; r++) if (this.len[r]! > 0) this.updateRoute(r);
    let s = 0;
    for (let r = 0; r < this.cost.length; r++) s += this.cost[r]!;
    this.totalCost = s;
    return s;
  }
}
