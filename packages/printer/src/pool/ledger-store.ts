/**
 * The pool ledger's memory (docs/decisions.md D32): which member of a printer pool claimed which
 * job first. A claim is a 64-hex digest the member computes from the pool's printer-uuid and the
 * job's sealed nonce (pool-replay.ts), so the ledger never learns a nonce; a member is the SHA-256
 * fingerprint of the TLS client certificate it authenticated with.
 *
 * Decided synchronously (exactly one of several concurrent claims of a digest wins), written to
 * `claims.log` (`<unix-ms> <claim> <member>\n`) and fdatasynced before anyone hears "claimed", so
 * a claim survives a crash of the ledger. Claims older than the retention are dropped when the log
 * is loaded: the members refuse jobs older than their replay cache remembers (profile replay
 * window), so a ledger that remembers at least as long forgets nothing a member could still take.
 */
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export type ClaimOutcome =
  /** First claim of this job: the member may print it. */
  | 'claimed'
  /** This member claimed it before (its own restart): it may go on. */
  | 'mine'
  /** Another member claimed it: it must not be printed here. */
  | 'taken';

const HEX64 = /^[0-9a-f]{64}$/;
/** Lines the log may hold when loaded; beyond, the ledger refuses to start rather than guess. */
const MAX_ENTRIES = 5_000_000;

export class LedgerStore {
  readonly #claims = new Map<string, { member: string; at: number }>();
  readonly #pending = new Map<string, { member: string; done: Promise<boolean> }>();
  #log: FileHandle | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(dir: string, retentionMs: number): Promise<LedgerStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new LedgerStore(join(dir, 'claims.log'));
    await store.#load(retentionMs);
    return store;
  }

  get size(): number {
    return this.#claims.size;
  }

  /** Claims `claim` for `member`; resolves once the answer is durable. */
  async claim(claim: string, member: string): Promise<ClaimOutcome> {
    if (!HEX64.test(claim)) throw new RangeError(`claim must be 64 lowercase hex digits, got ${claim.length} characters`);
    if (!HEX64.test(member)) throw new RangeError('member must be a SHA-256 fingerprint in lowercase hex');
    const known = this.#claims.get(claim);
    if (known) return known.member === member ? 'mine' : 'taken';
    const pending = this.#pending.get(claim);
    if (pending) {
      if (pending.member !== member) return 'taken';
      if (!(await pending.done)) throw new Error('the claim could not be written');
      return 'mine';
    }
    const at = Date.now();
    const done = this.#append(`${at} ${claim} ${member}\n`);
    this.#pending.set(claim, { member, done: done.then(() => true, () => false) });
    try {
      await done;
      this.#claims.set(claim, { member, at });
      return 'claimed';
    } finally {
      this.#pending.delete(claim);
    }
  }

  #append(line: string): Promise<void> {
    const next = this.#tail.catch(() => undefined).then(async () => {
      const log = this.#log;
      if (!log) throw new Error('the pool ledger is closed');
      await log.appendFile(line);
      await log.datasync();
    });
    this.#tail = next;
    return next;
  }

  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    await this.#log?.close();
    this.#log = undefined;
  }

  async #load(retentionMs: number): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const cutoff = Date.now() - retentionMs;
    let dropped = 0;
    for (const line of text.split('\n')) {
      const m = /^(\d{1,16}) ([0-9a-f]{64}) ([0-9a-f]{64})$/.exec(line);
      if (!m) {
        if (line !== '') dropped++; // a torn last line: that claim was never answered
        continue;
      }
      const at = Number(m[1]);
      // A claim is kept for less than the retention: with retention 0, even one made in this same
      // millisecond has expired (a strict comparison kept it, and failed a test under load).
      if (at <= cutoff) {
        dropped++;
        continue;
      }
      // The first claim of a digest stands; a later line for it cannot exist (claims are decided
      // before they are written), but if one did, it would not move the job to another member.
      if (!this.#claims.has(m[2]!)) this.#claims.set(m[2]!, { member: m[3]!, at });
      if (this.#claims.size > MAX_ENTRIES) throw new RangeError(`${this.file} holds more than ${MAX_ENTRIES} claims; shorten the retention`);
    }
    if (dropped > 0) {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, [...this.#claims].map(([c, { member, at }]) => `${at} ${c} ${member}\n`).join(''), { mode: 0o600 });
      await rename(tmp, this.file);
    }
    this.#log = await open(this.file, 'a', 0o600);
  }
}
