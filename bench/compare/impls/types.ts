import type { LinkEnd, Side } from '../netns.js';

/** One neighbour of a side: this side's end of the link joining them, the neighbour's end, and who dials. */
export interface Neighbour {
  readonly own: LinkEnd;
  readonly peer: LinkEnd;
  /** This side initiates the connection to that neighbour (the other one only listens). */
  readonly dial: boolean;
}

export interface SideContext {
  readonly side: Side;
  readonly ns: string;
  /** This side's own directory (inside the run's work dir). */
  readonly dir: string;
  /** The run's work dir (shared by every side: CA, public keys). */
  readonly workdir: string;
  readonly neighbours: readonly Neighbour[];
  /** Every side of this topology, in chain order. */
  readonly sides: readonly Side[];
  /** --mtu: the overlay interface MTU to use instead of the daemon's default. */
  readonly overlayMtu?: number;
  /** A short string unique to this benchmark process (for names outside the namespace, like UAPI sockets). */
  readonly runTag: string;
  /** Starts a daemon in this side's namespace; its PID is recorded, killed at teardown and its CPU counted. */
  spawnDaemon(label: string, cmd: string, args: readonly string[]): number;
}

export interface StartedSide {
  /** The overlay address the other sides reach this one at. */
  readonly address: string;
  readonly pids: readonly number[];
}

export interface Implementation {
  readonly name: string;
  readonly description: string;
  /** Commands that must be on PATH; a missing one makes the implementation "skipped", with the reason. */
  readonly requiredCommands: readonly string[];
  /** Debian package(s) providing it, for --install-deps. */
  readonly debianPackages: readonly string[];
  /** Whether it routes through a middle node (A—B—C with A and C peered only with B). */
  readonly relays?: boolean;
  /** True for the no-overlay baseline: it has no daemons, and --mtu does not apply. */
  readonly baseline?: boolean;
  /** Largest overlay MTU whose packets, with the daemon's own headers, still fit the 1500-byte underlay. */
  readonly maxOverlayMtu?: number;
  version(): Promise<string>;
  /** Keys, certificates, configs for all sides, under workdir/<side>/. */
  prepare?(workdir: string, sides: readonly Side[]): Promise<void>;
  /** Starts this side's daemon(s) and returns its overlay address; must not block on the other sides. */
  start(ctx: SideContext): Promise<StartedSide>;
  /**
   * Optional extra readiness check once every side has started (e.g. a handshake counter); the runner
   * then waits, bounded, until pings cross the overlay in both directions either way.
   */
  ready?(started: readonly { side: Side; ns: string; address: string }[], timeoutMs: number): Promise<void>;
  /** Removes what it left outside the work dir; called after the daemons were killed. */
  stop?(workdir: string): Promise<void>;
}
