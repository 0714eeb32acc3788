/**
 * The simulator's view of every node's forwarding table (what installRoute/removeRoute left), and
 * the two checks that read it:
 *
 * - `findLoop(node, dest)`: after node's entry for dest changed, follow next hops from node. Before
 *   the change there was no loop, so any loop now must pass through node; one walk of at most the
 *   path length finds it. This is what makes "no loop at any instant" cheap enough to run after
 *   every install at 1,000 nodes.
 * - `reach(dest)`: how many live nodes reach dest by following next hops over usable links
 *   (memoised, O(nodes)). Only destinations marked dirty since the last call are recomputed.
 */

/** Answers whether a packet can cross from a to b right now, and whether a node is up. */
export interface LiveGraph {
  alive(node: number): boolean;
  usable(a: number, b: number): boolean;
}

export class ForwardingState {
  /**
   * Next hops, -1 for none: entry (dest × nodes + node). One flat array (4 bytes a pair, 400 MB at
   * 10,000 nodes; a Map per node cost ~10 times that), laid out by destination because every check
   * walks one destination.
   */
  private readonly next: Int32Array;
  /** Entries per node. */
  private readonly sizes: Int32Array;
  /** How many nodes hold an entry for each destination. */
  readonly entriesTo: Int32Array;
  private readonly dirty: Uint8Array;
  private dirtyList: number[] = [];
  private readonly stamp: Int32Array;
  private epoch = 0;
  private readonly memo: Int8Array;
  private readonly walk: number[] = [];

  constructor(readonly nodes: number) {
    this.next = new Int32Array(nodes * nodes).fill(-1);
    this.sizes = new Int32Array(nodes);
    this.entriesTo = new Int32Array(nodes);
    this.dirty = new Uint8Array(nodes);
    this.stamp = new Int32Array(nodes);
    this.memo = new Int8Array(nodes);
  }

  /** The next hop of `node` towards `dest`, or -1. */
  nextHop(node: number, dest: number): number {
    return this.next[dest * this.nodes + node]!;
  }

  /** Number of entries in `node`'s table. */
  tableSize(node: number): number {
    return this.sizes[node]!;
  }

  /** Sets node's next hop for dest; returns false when it was already that (no path changed). */
  install(node: number, dest: number, nextHop: number): boolean {
    const i = dest * this.nodes + node;
    const old = this.next[i]!;
    if (old === nextHop) return false; // a new metric or seqno on the same next hop changes no path
    if (old < 0) {
      this.entriesTo[dest]!++;
      this.sizes[node]!++;
    }
    this.next[i] = nextHop;
    this.markDirty(dest);
    return true;
  }

  remove(node: number, dest: number): void {
    const i = dest * this.nodes + node;
    if (this.next[i]! < 0) return;
    this.next[i] = -1;
    this.entriesTo[dest]!--;
    this.sizes[node]!--;
    this.markDirty(dest);
  }

  /** Drops every entry of a node (it crashed). */
  clearNode(node: number): void {
    for (let dest = 0; dest < this.nodes; dest++) this.remove(node, dest);
  }

  markDirty(dest: number): void {
    if (this.dirty[dest] === 0) {
      this.dirty[dest] = 1;
      this.dirtyList.push(dest);
    }
  }

  markAllDirty(): void {
    for (let d = 0; d < this.nodes; d++) this.markDirty(d);
  }

  /** Returns and clears the destinations changed since the last call. */
  takeDirty(): number[] {
    const out = this.dirtyList;
    this.dirtyList = [];
    for (const d of out) this.dirty[d] = 0;
    return out;
  }

  /**
   * Follows next hops for `dest` from `node` through the tables (link state ignored: a loop in the
   * tables is a loop whatever the links do). Returns the cycle as a node list, or undefined.
   */
  findLoop(node: number, dest: number): number[] | undefined {
    const ep = ++this.epoch;
    const path = this.walk;
    path.length = 0;
    let cur = node;
    while (cur !== dest) {
      if (this.stamp[cur] === ep) {
        const start = path.indexOf(cur);
        return [...path.slice(start), cur];
      }
      this.stamp[cur] = ep;
      path.push(cur);
      const nh = this.next[dest * this.nodes + cur]!;
      if (nh < 0) return undefined;
      cur = nh;
    }
    return undefined;
  }

  /**
   * Counts the live nodes (other than dest) whose next-hop chain reaches dest over usable links.
   * Sets `loops` if a cycle was met (findLoop should already have caught it at install time).
   */
  reach(dest: number, g: LiveGraph): { reached: number; loops: number } {
    const memo = this.memo; // 0 unknown, 1 reaches, 2 does not, 3 on the current walk
    memo.fill(0);
    memo[dest] = 1;
    let reached = 0;
    let loops = 0;
    const path = this.walk;
    const base = dest * this.nodes;
    for (let s = 0; s < this.nodes; s++) {
      if (s === dest || !g.alive(s)) continue;
      path.length = 0;
      let cur = s;
      let result = 2;
      for (;;) {
        const m = memo[cur]!;
        if (m === 1 || m === 2) {
          result = m;
          break;
        }
        if (m === 3) {
          loops++;
          result = 2;
          break;
        }
        if (!g.alive(cur)) break;
        const nh = this.next[base + cur]!;
        if (nh < 0 || !g.usable(cur, nh)) break;
        memo[cur] = 3;
        path.push(cur);
        cur = nh;
      }
      for (const p of path) memo[p] = result;
      if (memo[s] === 0) memo[s] = result;
      if (result === 1) reached++;
    }
    return { reached, loops };
  }

  /** The path of next hops from s to d over usable links (s first, d last), or undefined if it breaks. */
  path(s: number, d: number, g: LiveGraph): number[] | undefined {
    const out = [s];
    let cur = s;
    while (cur !== d) {
      const nh = this.next[d * this.nodes + cur]!;
      if (nh < 0 || !g.usable(cur, nh) || out.length > this.nodes) return undefined;
      out.push(nh);
      cur = nh;
    }
    return out;
  }
}
