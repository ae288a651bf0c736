import { ValueError } from '../../../errors.js';
import type { RingTensor } from '../../kernel_link.js';
import { seedMessageBytes, tensorMessageBytes } from '../../wire/codec.js';
import type { DriverLink, DriverNet, LinkEvents, PeerNet } from '../transport.js';
import type { Instruction } from '../../wire/instructions.js';
import { Player } from '../../player/player.js';

/** A player's channels to the other players of the same process. */
class LocalPeerNet implements PeerNet {
  readonly sharesTensors = true;
  constructor(private readonly net: LocalNetwork, private readonly from: string) {}

  sendTensor(to: string, session: string, tag: number, t: RingTensor): number {
    const bytes = tensorMessageBytes(this.from, t);
    this.net.player(to).deliverTensor(session, this.from, tag, t, bytes);
    return bytes;
  }

  sendSeed(to: string, session: string, seed: Uint8Array): number {
    const bytes = seedMessageBytes(this.from);
    this.net.player(to).deliverSeed(session, this.from, new Uint8Array(seed), bytes);
    return bytes;
  }

  addressOf(peer: string): string { return `in-process:${peer}`; }
  isPeer(name: string): boolean { return name !== this.from && this.net.has(name); }
}

/** The driver's in-memory channel to one player: batches are handed over as objects. */
class LocalLink implements DriverLink {
  readonly address: string;
  private readonly port;

  constructor(private readonly target: Player, events: LinkEvents) {
    this.address = `in-process:${target.name}`;
    this.port = { reply: (r: Parameters<LinkEvents['reply']>[1]) => events.reply(target.name, r) };
  }

  get player(): string { return this.target.name; }
  submit(session: string, batch: Instruction[]): void { this.target.submit(session, batch, this.port); }
  setPending(): void { /* in-process players cannot vanish */ }
  async ping(): Promise<number> {
    const t0 = performance.now();
    await Promise.resolve();
    return performance.now() - t0;
  }
  async close(session: string): Promise<void> { this.target.endSession(session); }
}

/**
 * The players of a LocalConfig: separate {@link Player} objects (separate handle tables) in
 * this process, joined by in-memory channels. Tensors move between them by reference — they
 * are immutable — and are counted as the bytes the ZeroMQ transport would send.
 *
 * @example
 * ```ts
 * const net = new LocalNetwork(['server0', 'server1'], true);
 * net.player('server0').liveHandles(); // 0
 * ```
 */
export class LocalNetwork implements DriverNet {
  private readonly members = new Map<string, Player>();
  private logged = false;

  constructor(names: readonly string[], private readonly autoAdd: boolean, private readonly log: (line: string) => void = console.log) {
    for (const n of names) this.add(n);
  }

  players(): readonly string[] { return [...this.members.keys()]; }

  ensurePlayer(name: string): void {
    if (this.members.has(name)) return;
    if (!this.autoAdd) {
      throw new ValueError(`unknown player \`${name}\`; known players: [${this.players().map((p) => `'${p}'`).join(', ')}]`);
    }
    this.add(name);
  }

  inProcess(): boolean { return true; }

  announce(names: readonly string[]): void {
    if (this.autoAdd) for (const n of names) if (!this.members.has(n)) this.add(n);
  }

  link(name: string, events: LinkEvents): DriverLink { return new LocalLink(this.player(name), events); }

  firstUse(): void {
    if (this.logged) return;
    this.logged = true;
    this.log(`Players: [${this.players().map((p) => `'${p}'`).join(', ')}]`);
  }

  /** True when `name` is a player of this network. */
  has(name: string): boolean { return this.members.has(name); }

  /** The player object `name` (for tests and tools; protocols use handles). */
  player(name: string): Player {
    const p = this.members.get(name);
    if (!p) throw new ValueError(`unknown player \`${name}\``);
    return p;
  }

  private add(name: string): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new ValueError(`player name must be 1-64 characters of letters, digits, '_', '.', '-', got ${JSON.stringify(name)}`);
    }
    this.members.set(name, new Player({ name, net: new LocalPeerNet(this, name), inProcess: true }));
  }
}
