import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';

function capture(): { io: Io; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d) => (o += d));
  stderr.on('data', (d) => (e += d));
  return { io: { stdout, stderr, stdin: new PassThrough(), cwd: process.cwd(), env: {} }, out: () => o, err: () => e };
}

describe('tno command tree', () => {
  it('prints the command tree for --help and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(ExitCode.ok);
    expect(c.out()).toMatch(/^tno — end-to-end encrypted printing/);
  });

  it('refuses an unknown command with a one-line usage error', async () => {
    const c = capture();
    expect(await main(['no-such-command'], c.io)).toBe(ExitCode.usage);
    expect(c.err().trim().split('\n')).toHaveLength(1);
    expect(c.err()).toContain("unknown command 'no-such-command'");
  });
});
