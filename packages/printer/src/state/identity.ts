/**
 * The printer's stable identity: printer-uuid (PWG 5100.13 §5.4; RFC 4122) is created once and
 * kept in printer.json, because clients pin the printer key per printer-uuid (docs/spec-notes.md §3) and
 * the certificate names it in its subjectAltName.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { PrinterError } from '../errors.js';

export interface PrinterIdentityFile {
  /** Bare UUID, lowercase (printer-uuid is `urn:uuid:` + this). */
  readonly uuid: string;
  readonly createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function loadOrCreateIdentity(file: string): Promise<PrinterIdentityFile> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new PrinterError('PRINTER_STATE_DIR', `cannot read ${file}`, { cause: err });
  }
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new PrinterError('PRINTER_STATE_DIR', `${file} is not valid JSON; fix or remove it`, { cause: err });
    }
    const uuid = (parsed as { uuid?: unknown }).uuid;
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new PrinterError('PRINTER_STATE_DIR', `${file} has no valid "uuid"; fix or remove it`);
    return parsed as PrinterIdentityFile;
  }
  const identity: PrinterIdentityFile = { uuid: randomUUID(), createdAt: new Date().toISOString() };
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return identity;
}
