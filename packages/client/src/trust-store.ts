/**
 * The user's trust store (docs/spec-notes.md §3, docs/decisions.md D23). Trust is bound to the printer URI
 * the user names as well as the printer-uuid found there: `printers` maps each normalised URI to
 * the printer (uuid and certificate fingerprint) trusted at it, pinned by hand, on first use, or
 * verified through a trust anchor. `uuidPins` keeps pins made without a URI (the library's
 * setPin without printerUri, or a migrated version-1 pin that recorded none). Trust anchors (site
 * or manufacturer CAs) are `anchors/*.pem`. Stored in the state directory as `trust.json`, written
 * atomically (temp file, fsync, rename) with owner-only permissions. A version-1 store (pins keyed
 * by uuid only) is migrated on first read; the old file is kept as `trust.v1.json`.
 */
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile, readdir, rm } from 'node:fs/promises';
import { writeFileDurably } from '@trustnoone/ipp-http/durable-file';
import { join } from 'node:path';
import { ClientError } from './errors.js';
import { normalizePrinterUri } from './printer-uri.js';
import { makeDirectory } from './state-dir.js';

export interface Pin {
  /** Lowercase hex SHA-256 of the printer's DER certificate. */
  readonly fingerprint: string;
  /** ISO 8601 time the pin was made. */
  readonly pinnedAt: string;
  /** How the trust was established: on first use, deliberately by the user, or through a trust anchor. */
  readonly how: 'first-use' | 'manual' | 'anchor';
  /** The URI the printer was reached at; with it, setPin binds that URI (see PrinterBinding). */
  readonly printerUri?: string;
  readonly subject?: string;
}

/** The printer trusted at one URI: a URI that later reaches another uuid or key is "changed". */
export interface PrinterBinding extends Pin {
  /** Normalised URI (normalizePrinterUri). */
  readonly printerUri: string;
  /** Lowercase urn:uuid. */
  readonly printerUuid: string;
}

type StoredBinding = Omit<PrinterBinding, 'printerUri'>;

interface TrustFile {
  readonly version: 2;
  readonly printers: Record<string, StoredBinding>;
  readonly uuidPins: Record<string, Pin>;
}

const MAX_TRUST_FILE = 4 * 1024 * 1024;
const MAX_ANCHORS = 256;
const HOWS = new Set(['first-use', 'manual', 'anchor']);

function normalizeUuid(uuid: string): string {
  return uuid.trim().toLowerCase();
}

function validFingerprint(fp: unknown): fp is string {
  return typeof fp === 'string' && /^[0-9a-f]{64}$/.test(fp);
}

function pinFrom(raw: unknown): Pin | undefined {
  const p = raw as Partial<Pin> | null;
  if (!p || !validFingerprint(p.fingerprint)) return undefined;
  return {
    fingerprint: p.fingerprint,
    pinnedAt: typeof p.pinnedAt === 'string' ? p.pinnedAt : new Date(0).toISOString(),
    how: typeof p.how === 'string' && HOWS.has(p.how) ? p.how : 'manual',
    ...(typeof p.printerUri === 'string' ? { printerUri: p.printerUri } : {}),
    ...(typeof p.subject === 'string' ? { subject: p.subject } : {}),
  };
}

/** Several `tno` processes may pin at once: each writes its own temporary file. */
function writeAtomic(path: string, text: string): Promise<void> {
  return writeFileDurably(path, text, { concurrentWriters: true, syncDirectory: false });
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

/**
 * Version 1 keyed pins by uuid and recorded, informationally, the URI each was made at. That URI
 * is the best evidence of what the user named, so it becomes the binding; a pin without one stays
 * a uuid pin. One uuid had one pin, so other URIs that reached it must be pinned again.
 */
function migrateV1(pins: Record<string, unknown>): TrustFile {
  const printers: Record<string, StoredBinding> = {};
  const uuidPins: Record<string, Pin> = {};
  for (const [uuid, raw] of Object.entries(pins)) {
    const pin = pinFrom(raw);
    if (!pin) continue;
    const { printerUri, ...rest } = pin;
    if (printerUri && /^[a-z][a-z0-9+.-]*:\/\//i.test(printerUri)) printers[normalizePrinterUri(printerUri)] = { ...rest, printerUuid: normalizeUuid(uuid) };
    else uuidPins[normalizeUuid(uuid)] = rest;
  }
  return { version: 2, printers, uuidPins };
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

  async #parse(): Promise<{ file: TrustFile; v1: boolean }> {
    let text: string;
    try {
      const buf = await readFile(this.#file);
      if (buf.length > MAX_TRUST_FILE) throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is larger than ${MAX_TRUST_FILE} bytes; check it`);
      text = buf.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: { version: 2, printers: {}, uuidPins: {} }, v1: false };
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is not valid JSON; fix or remove it`, { cause });
    }
    const p = parsed as { version?: unknown; pins?: unknown; printers?: unknown; uuidPins?: unknown } | null;
    if (p?.version === 1 && typeof p.pins === 'object' && p.pins !== null) return { file: migrateV1(p.pins as Record<string, unknown>), v1: true };
    if (p?.version !== 2 || typeof p.printers !== 'object' || p.printers === null) {
      throw new ClientError('CLIENT_BAD_INPUT', `${this.#file} is not a trustnoone trust store (version 1 or 2)`);
    }
    const printers: Record<string, StoredBinding> = {};
    for (const [uri, raw] of Object.entries(p.printers as Record<string, unknown>)) {
      const pin = pinFrom(raw);
      const uuid = (raw as { printerUuid?: unknown }).printerUuid;
      if (pin && typeof uuid === 'string') {
        const { printerUri: _ignored, ...rest } = pin;
        printers[normalizePrinterUri(uri)] = { ...rest, printerUuid: normalizeUuid(uuid) };
      }
    }
    const uuidPins: Record<string, Pin> = {};
    for (const [uuid, raw] of Object.entries((p.uuidPins ?? {}) as Record<string, unknown>)) {
      const pin = pinFrom(raw);
      if (pin) uuidPins[normalizeUuid(uuid)] = pin;
    }
    return { file: { version: 2, printers, uuidPins }, v1: false };
  }

  /** The store's content; a version-1 file is rewritten as version 2 once (the old one kept beside it). */
  async #load(): Promise<TrustFile> {
    const { file, v1 } = await this.#parse();
    if (!v1) return file;
    return serialised(this.#file, async () => {
      const again = await this.#parse();
      if (!again.v1) return again.file;
      await copyFile(this.#file, join(this.dir, 'trust.v1.json'));
      await this.#save(again.file);
      return again.file;
    });
  }

  async #save(file: TrustFile): Promise<void> {
    await makeDirectory(this.dir);
    await writeAtomic(this.#file, `${JSON.stringify(file, null, 2)}\n`);
  }

  async #update(change: (file: TrustFile) => TrustFile | undefined): Promise<boolean> {
    await this.#load();
    return serialised(this.#file, async () => {
      const next = change((await this.#parse()).file);
      if (next === undefined) return false;
      await this.#save(next);
      return true;
    });
  }

  /** Every URI binding. */
  async bindings(): Promise<PrinterBinding[]> {
    const file = await this.#load();
    return Object.entries(file.printers).map(([printerUri, b]) => ({ ...b, printerUri }));
  }

  /** The printer trusted at this URI, if any. */
  async binding(printerUri: string): Promise<PrinterBinding | undefined> {
    const uri = normalizePrinterUri(printerUri);
    const b = (await this.#load()).printers[uri];
    return b ? { ...b, printerUri: uri } : undefined;
  }

  /** The URIs at which this printer-uuid is trusted. */
  async bindingsOf(printerUuid: string): Promise<PrinterBinding[]> {
    const uuid = normalizeUuid(printerUuid);
    return (await this.bindings()).filter((b) => b.printerUuid === uuid);
  }

  /** Records (or replaces) the printer trusted at a URI. */
  async bind(binding: PrinterBinding): Promise<void> {
    if (!validFingerprint(binding.fingerprint)) throw new RangeError(`fingerprint must be 64 lowercase hex digits, got ${binding.fingerprint}`);
    const uri = normalizePrinterUri(binding.printerUri);
    const { printerUri: _uri, ...rest } = binding;
    await this.#update((file) => ({ ...file, printers: { ...file.printers, [uri]: { ...rest, printerUuid: normalizeUuid(binding.printerUuid) } } }));
  }

  /** Removes what is trusted at a URI; resolves false when there was nothing. */
  async forgetUri(printerUri: string): Promise<boolean> {
    const uri = normalizePrinterUri(printerUri);
    return this.#update((file) => {
      if (!(uri in file.printers)) return undefined;
      const printers = { ...file.printers };
      delete printers[uri];
      return { ...file, printers };
    });
  }

  /** A pin recorded for a uuid without a URI (library callers, migrated version-1 pins). */
  async uuidPin(printerUuid: string): Promise<Pin | undefined> {
    return (await this.#load()).uuidPins[normalizeUuid(printerUuid)];
  }

  /** Every pin by printer-uuid: uuid pins, then one URI binding per uuid (for listings and old callers). */
  async pins(): Promise<Record<string, Pin>> {
    const file = await this.#load();
    const out: Record<string, Pin> = {};
    for (const [uri, { printerUuid, ...pin }] of Object.entries(file.printers)) out[printerUuid] ??= { ...pin, printerUri: uri };
    return { ...out, ...file.uuidPins };
  }

  async getPin(printerUuid: string): Promise<Pin | undefined> {
    return (await this.pins())[normalizeUuid(printerUuid)];
  }

  /** With `pin.printerUri`, binds that URI to the printer (bind()); without, records a uuid pin. */
  async setPin(printerUuid: string, pin: Pin): Promise<void> {
    if (!validFingerprint(pin.fingerprint)) throw new RangeError(`fingerprint must be 64 lowercase hex digits, got ${pin.fingerprint}`);
    if (pin.printerUri !== undefined) return this.bind({ ...pin, printerUri: pin.printerUri, printerUuid });
    await this.#update((file) => ({ ...file, uuidPins: { ...file.uuidPins, [normalizeUuid(printerUuid)]: pin } }));
  }

  /** Removes every pin and URI binding of a printer-uuid; resolves false when there was none. */
  async forget(printerUuid: string): Promise<boolean> {
    const uuid = normalizeUuid(printerUuid);
    return this.#update((file) => {
      const printers = Object.fromEntries(Object.entries(file.printers).filter(([, b]) => b.printerUuid !== uuid));
      const uuidPins = { ...file.uuidPins };
      const had = uuid in uuidPins || Object.keys(printers).length !== Object.keys(file.printers).length;
      delete uuidPins[uuid];
      return had ? { version: 2, printers, uuidPins } : undefined;
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
    await makeDirectory(this.#anchorDir);
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
