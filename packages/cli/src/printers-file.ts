/**
 * Printers known by name, like lpoptions/lpstat destinations (issue 15 item 3): `tno printer add
 * NAME URI` stores the URI with what reaching it needs — the CA that verifies its TLS certificate
 * (or the certificate's SHA-256 pin) and the user name — so later commands take `-d NAME`,
 * `TNO_PRINTER=NAME`, or nothing when a default is set. Kept in STATE/printers.json (owner-only,
 * written atomically), beside the trust store; trust in the printer's key stays in trust.json,
 * bound to the URI. Passwords are never stored: they come from TNO_PASSWORD.
 */
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '@trustnoone/ipp-http/durable-file';
import { join } from 'node:path';
import { CliError } from './command.js';
import { ExitCode } from './exit-codes.js';
import { usableStateDir } from './state-dir.js';

export interface SavedPrinter {
  readonly uri: string;
  /** PEM CA certificate(s) that verify the server's TLS certificate. */
  readonly ca?: string;
  /** SHA-256 fingerprint of the server's TLS certificate, when pinned instead of a CA. */
  readonly tlsPin?: string;
  /** requesting-user-name, and the HTTP Basic user with TNO_PASSWORD. */
  readonly user?: string;
}

export interface PrintersFile {
  readonly version: 1;
  readonly default?: string;
  readonly printers: Readonly<Record<string, SavedPrinter>>;
}

const MAX_FILE = 1024 * 1024;
/** Like CUPS queue names: printable, no spaces, slashes or '#'. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/;

export function checkPrinterName(name: string): string {
  if (!NAME.test(name)) throw new CliError(`'${name}' is not a printer name: use letters, digits, '.', '_' and '-' (up to 127, starting with a letter or digit)`, ExitCode.usage);
  return name;
}

function fileOf(stateDir: string): string {
  return join(stateDir, 'printers.json');
}

export async function loadPrinters(stateDir: string): Promise<PrintersFile> {
  let text: string;
  try {
    const buf = await readFile(fileOf(stateDir));
    if (buf.length > MAX_FILE) throw new CliError(`${fileOf(stateDir)} is larger than ${MAX_FILE} bytes; check it`, ExitCode.failure);
    text = buf.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, printers: {} };
    throw err;
  }
  let parsed: Partial<PrintersFile> | null;
  try {
    parsed = JSON.parse(text) as Partial<PrintersFile> | null;
  } catch (cause) {
    throw new CliError(`${fileOf(stateDir)} is not valid JSON; fix or remove it`, ExitCode.failure, { cause });
  }
  if (parsed?.version !== 1 || typeof parsed.printers !== 'object' || parsed.printers === null) {
    throw new CliError(`${fileOf(stateDir)} is not a tno printers file (version 1); fix or remove it`, ExitCode.failure);
  }
  const printers: Record<string, SavedPrinter> = {};
  for (const [name, p] of Object.entries(parsed.printers)) if (NAME.test(name) && typeof p?.uri === 'string') printers[name] = p;
  return { version: 1, printers, ...(typeof parsed.default === 'string' && parsed.default in printers ? { default: parsed.default } : {}) };
}

async function save(stateDir: string, file: PrintersFile): Promise<void> {
  await usableStateDir(stateDir);
  const path = fileOf(stateDir);
  // Two `tno printers` runs may save at once: each writes its own temporary file.
  await writeFileDurably(path, `${JSON.stringify(file, null, 2)}\n`, { concurrentWriters: true, syncDirectory: false });
}

export async function savePrinter(stateDir: string, name: string, printer: SavedPrinter, makeDefault: boolean): Promise<PrintersFile> {
  const file = await loadPrinters(stateDir);
  // The first printer added becomes the default, as with lpadmin's first queue.
  const isDefault = makeDefault || file.default === undefined;
  const next: PrintersFile = { version: 1, printers: { ...file.printers, [name]: printer }, ...(isDefault ? { default: name } : file.default ? { default: file.default } : {}) };
  await save(stateDir, next);
  return next;
}

export async function removePrinter(stateDir: string, name: string): Promise<boolean> {
  const file = await loadPrinters(stateDir);
  if (!(name in file.printers)) return false;
  const printers = { ...file.printers };
  delete printers[name];
  await save(stateDir, { version: 1, printers, ...(file.default && file.default !== name ? { default: file.default } : {}) });
  return true;
}
