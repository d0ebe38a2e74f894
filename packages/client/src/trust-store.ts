/**
 * The user's trust store (docs/spec-notes.md §3): pins of printer certificates keyed by `printer-uuid`, and
 * trust anchors (site or manufacturer CAs). Stored in the state directory as `trust.json` (pins)
 * and `anchors/*.pem`; written atomically (temp file, fsync, rename) with owner-only permissions.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientError } from './errors.js';

export interface Pin {
  /** Lowercase hex SHA-256 of the printer's DER certificate. */
  readonly fingerprint: string;
  /** ISO 8601 time the pin was made. */
  readonly pinnedAt: string;
  /** How the pin was made: on first use, or deliberately by the user. */
  readonly how: 'first-use' | 'manual';
  /** The URI the printer was reached at when pinned (informational only; the key is the uuid). */
  readonly printerUri?: string;
  readonly subject?: string;
}

interface TrustFile {
  readonly version: 1;
  readonly pins: Record<string, Pin>;
}

const MAX_TRUST_FILE = 4 * 1024 * 1024;
const MAX_ANCHORS = 256;

function normalizeUuid(uuid: string): string {
  return uuid.trim().toLowerCase();
}

async function writeAtomic(path: string, text: string): Promise<void> {
  // Unique per write: two writers in one millisecond must not share (and steal) a temp file.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/**
 * Read-modify-write of one trust file is serialised within the process (several prints may pin
 * printers concurrently); without it the later write would drop the earlier pin.
 */
const updates = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = updates.get(key) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  updates.set(key, settled);
  void settled.then(() => {
    if (updates.get(key) === settled) updates.delete(key);
  });
  return next;
}

export class TrustStore {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = stateDir;
  }

  get #file(): string {
    return join(this.dir, 'trust.json');
  }
  get #anchorDir(): string {
    return join(this.dir, 'anchors');
  }

  async #load(): Promise<TrustFile> {
    let text: string;
    try {
      const buf = await readFile(this.#file);
      if (buf.length > MAX_TRUST_FILE) throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is larger than ${MAX_TRUST_FILE} bytes; check it`);
      text = buf.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pins: {} };
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is not valid JSON; fix or remove it`, { cause });
    }
    const p = parsed as Partial<TrustFile>;
    if (p?.version !== 1 || typeof p.pins !== 'object' || p.pins === null) {
      throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is not a trustnoone trust store (version 1)`);
    }
    const pins: Record<string, Pin> = {};
    for (const [uuid, pin] of Object.entries(p.pins)) {
      if (typeof pin?.fingerprint === 'string' && /^[0-9a-f]{64}$/.test(pin.fingerprint)) pins[normalizeUuid(uuid)] = pin;
    }
    return { version: 1, pins };
  }

  async #save(file: TrustFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeAtomic(this.#file, `${JSON.stringify(file, null, 2)}\n`);
  }

  async pins(): Promise<Record<string, Pin>> {
    return (await this.#load()).pins;
  }

  async getPin(printerUuid: string): Promise<Pin | undefined> {
    return (await this.#load()).pins[normalizeUuid(printerUuid)];
  }

  async setPin(printerUuid: string, pin: Pin): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(pin.fingerprint)) throw new RangeError(`fingerprint must be 64 lowercase hex digits, got ${pin.fingerprint}`);
    await serialised(this.#file, async () => {
      const file = await this.#load();
      await this.#save({ version: 1, pins: { ...file.pins, [normalizeUuid(printerUuid)]: pin } });
    });
  }

  /** Removes the pin for a printer; resolves false when there was none. */
  async forget(printerUuid: string): Promise<boolean> {
    return serialised(this.#file, async () => {
      const file = await this.#load();
      const key = normalizeUuid(printerUuid);
      if (!(key in file.pins)) return false;
      const pins = { ...file.pins };
      delete pins[key];
      await this.#save({ version: 1, pins });
      return true;
    });
  }

  /** Adds a trust anchor (a CA certificate, PEM); returns its SHA-256 fingerprint. */
  async addAnchor(pem: string): Promise<string> {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (cause) {
      throw new ClientError('CLIENT_BAD_INPUT', 'the trust anchor is not a PEM certificate', { cause });
    }
    if (!cert.ca) throw new ClientError('CLIENT_BAD_INPUT', `the trust anchor ${cert.subject.replace(/\n/g, ', ')} is not a CA certificate (basicConstraints cA)`);
    const fp = fingerprintOf(cert);
    await mkdir(this.#anchorDir, { recursive: true, mode: 0o700 });
    await writeAtomic(join(this.#anchorDir, `${fp}.pem`), cert.toString());
    return fp;
  }

  async removeAnchor(fingerprint: string): Promise<boolean> {
    const path = join(this.#anchorDir, `${fingerprint.toLowerCase().replace(/[^0-9a-f]/g, '')}.pem`);
    try {
      await rm(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async anchors(): Promise<X509Certificate[]> {
    let names: string[];
    try {
      names = (await readdir(this.#anchorDir)).filter((n) => n.endsWith('.pem')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: X509Certificate[] = [];
    for (const name of names.slice(0, MAX_ANCHORS)) {
      try {
        out.push(new X509Certificate(await readFile(join(this.#anchorDir, name))));
      } catch (cause) {
        throw new ClientError('CLIENT_BAD_INPUT', `trust anchor ${join(this.#anchorDir, name)} is not a certificate; remove it`, { cause });
      }
    }
    return out;
  }
}

/** Lowercase hex SHA-256 of a certificate's DER encoding (docs/spec-notes.md §3). */
export function fingerprintOf(cert: X509Certificate): string {
  return cert.fingerprint256.replace(/:/g, '').toLowerCase();
}

/** `AB:CD:...` grouping for people comparing fingerprints out of band. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}
