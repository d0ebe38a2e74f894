import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/auth/password.js';
import { addUser, authenticate, loadUsersFile, parseBasicAuthorization, parseUsersFile } from '../src/auth/users-file.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };

describe('users file: RFC 7914 scrypt hashes, RFC 7617 Basic credentials', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('correct horse', FAST);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword(h, 'correct horse')).toBe(true);
    expect(await verifyPassword(h, 'correct horsf')).toBe(false);
    expect(await verifyPassword(h.replace('scrypt', 'md5'), 'correct horse')).toBe(false);
  });

  it('refuses absurd cost parameters instead of allocating for them', async () => {
    const h = await hashPassword('pw', FAST);
    expect(await verifyPassword(h.replace('$1024$', '$1073741824$'), 'pw')).toBe(false);
  });

  it('two hashes of one password differ (random salt)', async () => {
    expect(await hashPassword('pw', FAST)).not.toBe(await hashPassword('pw', FAST));
  });

  it('addUser writes a 0600 file that loads back and authenticates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-users-'));
    const path = join(dir, 'users');
    await addUser(path, 'alice', 'pw-a');
    await addUser(path, 'root', 'pw-r', 'operator');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).not.toContain('pw-a');
    const users = await loadUsersFile(path);
    expect(await authenticate(users, 'alice', 'pw-a')).toEqual({ name: 'alice', role: 'user' });
    expect(await authenticate(users, 'root', 'pw-r')).toEqual({ name: 'root', role: 'operator' });
    expect(await authenticate(users, 'alice', 'pw-r')).toBeUndefined();
    expect(await authenticate(users, 'mallory', 'pw-a')).toBeUndefined();
  });

  it('a malformed line is a config error naming the line', () => {
    expect(() => parseUsersFile('# c\n\nbob:admin:scrypt$x')).toThrow(/line 3/);
  });

  it('parses Basic credentials, with colons allowed in the password', () => {
    const h = `Basic ${Buffer.from('bob:a:b').toString('base64')}`;
    expect(parseBasicAuthorization(h)).toEqual({ user: 'bob', password: 'a:b' });
    expect(parseBasicAuthorization('Bearer abc')).toBeUndefined();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
  });
});
