/**
 * Saved OAuth sign-ins (docs/decisions.md D29): `oauth/tokens.json` in the state directory, the
 * directory 0700 and the file 0600 (written to a temporary file created 0600, then renamed), so
 * no other local user can read a token. Each sign-in names the printer URIs it was obtained for;
 * its token is sent to those and to nothing else.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenSet } from '@trustnoone/ipp-http/client';
import { ClientError } from '../errors.js';
import { normalizePrinterUri } from '../printer-uri.js';
import { makeDirectory } from '../state-dir.js';

export interface SavedSignIn extends TokenSet {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope?: string;
  readonly resource?: string;
  readonly tokenEndpoint: string;
  readonly revocationEndpoint?: string;
  /** Normalised printer URIs this sign-in's token is sent to. */
  readonly printers: readonly string[];
}

interface TokenFile {
  readonly version: 1;
  readonly signIns: SavedSignIn[];
}

const MAX_FILE = 1024 * 1024;

export class TokenStore {
  readonly file: string;
  constructor(readonly stateDir: string) {
    this.file = join(stateDir, 'oauth', 'tokens.json');
  }

  async all(): Promise<SavedSignIn[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ClientError('CLIENT_BAD_INPUT', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    if (text.length > MAX_FILE) throw new ClientError('CLIENT_BAD_INPUT', `${this.file} is larger than ${MAX_FILE} bytes: remove it and run tno login again`);
    try {
      const parsed = JSON.parse(text) as TokenFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.signIns)) throw new Error('unknown layout');
      return parsed.signIns.filter((s) => typeof s.issuer === 'string' && typeof s.accessToken === 'string' && Array.isArray(s.printers));
    } catch (err) {
      throw new ClientError('CLIENT_BAD_INPUT', `${this.file} is not a tno token file (${(err as Error).message}): remove it and run tno login again`, { cause: err });
    }
  }

  /** The sign-in whose token goes to `printerUri`, if any (the latest when several). */
  async forPrinter(printerUri: string): Promise<SavedSignIn | undefined> {
    const uri = normalizePrinterUri(printerUri);
    return (await this.all()).filter((s) => s.printers.includes(uri)).at(-1);
  }

  /**
   * Saves a sign-in; one for the same issuer, client and resource is replaced, keeping its printers
   * (a second `tno login` for another printer adds it). A printer moves to the newest sign-in.
   */
  async save(signIn: SavedSignIn): Promise<void> {
    const printers = signIn.printers.map(normalizePrinterUri);
    const all = await this.all();
    const same = (s: SavedSignIn) => s.issuer === signIn.issuer && s.clientId === signIn.clientId && s.resource === signIn.resource;
    const kept = all.filter((s) => !same(s)).map((s) => ({ ...s, printers: s.printers.filter((p) => !printers.includes(p)) }));
    const previous = all.find(same)?.printers ?? [];
    await this.write([...kept.filter((s) => s.printers.length > 0), { ...signIn, printers: [...new Set([...previous, ...printers])] }]);
  }

  /** Replaces the tokens of a saved sign-in after a refresh. */
  async update(signIn: SavedSignIn, tokens: TokenSet): Promise<SavedSignIn> {
    const all = await this.all();
    const next: SavedSignIn = { ...signIn, ...tokens, refreshToken: tokens.refreshToken ?? signIn.refreshToken };
    const i = all.findIndex((s) => s.issuer === signIn.issuer && s.clientId === signIn.clientId && s.resource === signIn.resource);
    if (i >= 0) all[i] = next;
    else all.push(next);
    await this.write(all);
    return next;
  }

  /** Removes the sign-ins `which` selects; returns them (to revoke their tokens). */
  async remove(which: (s: SavedSignIn) => boolean): Promise<SavedSignIn[]> {
    const all = await this.all();
    const gone = all.filter(which);
    if (gone.length === 0) return [];
    const rest = all.filter((s) => !which(s));
    if (rest.length === 0) await rm(this.file, { force: true });
    else await this.write(rest);
    return gone;
  }

  private async write(signIns: SavedSignIn[]): Promise<void> {
    const dir = join(this.stateDir, 'oauth');
    await makeDirectory(dir);
    await chmod(dir, 0o700);
    const tmp = join(dir, `.tokens.${randomBytes(6).toString('hex')}.tmp`);
    // Created 0600 from the first byte: the token never sits in a file others could read.
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify({ version: 1, signIns } satisfies TokenFile, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
  }
}
