/**
 * The users file: one entry per line, `name:role:scrypt$...`, where role is `user` or `operator`.
 * Blank lines and lines starting with `#` are ignored. Written by `tno intermediary --add-user`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseBasicCredentials } from '@trustnoone/ipp-http';
import { IntermediaryError, IntermediaryErrorCode } from '../errors.js';
import { hashPassword, verifyPassword } from './password.js';

export type Role = 'user' | 'operator';
export interface UserEntry {
  readonly name: string;
  readonly role: Role;
  readonly hash: string;
}

const NAME = /^[A-Za-z0-9._@+-]{1,64}$/;
const MAX_FILE = 1 << 20;

export function parseUsersFile(text: string, source = 'users file'): Map<string, UserEntry> {
  if (text.length > MAX_FILE) throw new IntermediaryError(IntermediaryErrorCode.config, 'server-error-internal-error', `${source} is larger than ${MAX_FILE} bytes`);
  const users = new Map<string, UserEntry>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [name, role, hash, ...rest] = line.split(':');
    if (!name || !NAME.test(name) || (role !== 'user' && role !== 'operator') || !hash?.startsWith('scrypt$') || rest.length > 0) {
      throw new IntermediaryError(
        IntermediaryErrorCode.config,
        'server-error-internal-error',
        `${source} line ${i + 1}: expected name:user|operator:scrypt$... (create entries with 'tno intermediary --add-user NAME')`,
      );
    }
    users.set(name, { name, role, hash });
  }
  return users;
}

export async function loadUsersFile(path: string): Promise<Map<string, UserEntry>> {
  return parseUsersFile(await readFile(path, 'utf8'), path);
}

/** Adds or replaces `name` in the users file at `path` (created mode 0600 if missing). */
export async function addUser(path: string, name: string, password: string, role: Role = 'user'): Promise<void> {
  if (!NAME.test(name)) throw new RangeError(`user name must match ${NAME}, got ${JSON.stringify(name)}`);
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const users = parseUsersFile(text, path);
  users.set(name, { name, role, hash: await hashPassword(password) });
  const body = [...users.values()].map((u) => `${u.name}:${u.role}:${u.hash}`).join('\n');
  await writeFile(path, `# trustnoone intermediary users: name:role:scrypt-hash\n${body}\n`, { mode: 0o600 });
}

export interface Authenticated {
  readonly name: string;
  readonly role: Role;
}

/** RFC 7617 Basic credentials from an Authorization header value, or undefined if absent/malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  const m = header === undefined ? null : /^Basic +(\S{1,1024})$/i.exec(header.trim());
  return m ? parseBasicCredentials(m[1]!) : undefined;
}

/** Checks credentials against the users table; a missing user still costs one scrypt (no timing oracle). */
export async function authenticate(users: ReadonlyMap<string, UserEntry>, user: string, password: string): Promise<Authenticated | undefined> {
  const entry = users.get(user);
  const ok = await verifyPassword(entry?.hash ?? DUMMY_HASH, password);
  return ok && entry ? { name: entry.name, role: entry.role } : undefined;
}

// A valid encoding with a random key: verifying against it always fails, in the same time as a real one.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$6kCEJ0p0mfxGJpAF4n0p6B+o9s6j8Zy7b5oMFxW3x0Y=';
