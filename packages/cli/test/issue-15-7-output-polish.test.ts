/**
 * Issue 15 item 7: output polish. One fingerprint format for people (AB:CD:...); `tno status`
 * shows keywords, not enum numbers, and typed values in --json; with --json a failure is also a
 * JSON object on stdout; `tno printer --help` lists the formats the printer renders.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

let dir: string;
let printer: RunningPrinter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-7-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  await writeFile(join(dir, 'memo.txt'), 'memo\n');
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 15.7: output polish', () => {
  it('one fingerprint format: printer --show-fingerprint, trust show and trust pin all say AB:CD:...', async () => {
    const shown = (await tno(['printer', '--show-fingerprint', '--state', join(dir, 'printer')])).out.trim();
    expect(shown).toMatch(FINGERPRINT);
    const state = join(dir, 'state-fp');
    const pinned = await tno(['trust', 'pin', '--printer', printer.uri, '--fingerprint', shown, '--state', state]);
    expect(pinned.out.trim().split(': ')[1]).toBe(shown);
    const show = await tno(['trust', 'show', '--printer', printer.uri, '--state', state]);
    expect(show.out).toContain(`key ${shown}: PINNED`);
  });

  it('one fingerprint format in --json too: keys, printer, trust pin/show, printer add, printers and print all say AB:CD:...', async () => {
    const state = join(dir, 'state-json');
    const keys = await tno(['keys', 'generate', '--kind', 'ca', '--name', 'CA', '--cert', join(dir, 'ca.crt'), '--key', join(dir, 'ca.key'), '--json']);
    expect(JSON.parse(keys.out).fingerprint).toMatch(FINGERPRINT);
    const shown = JSON.parse((await tno(['printer', '--show-fingerprint', '--json', '--state', join(dir, 'printer')])).out);
    expect(shown.fingerprint).toMatch(FINGERPRINT);
    const pin = JSON.parse((await tno(['trust', 'pin', '--printer', printer.uri, '--fingerprint', shown.fingerprint, '--state', state, '--json'])).out);
    expect(pin.fingerprint).toBe(shown.fingerprint);
    const show = JSON.parse((await tno(['trust', 'show', '--printer', printer.uri, '--state', state, '--json'])).out);
    expect(show.printer.fingerprint).toBe(shown.fingerprint);
    expect(show.printers.map((p: { fingerprint: string }) => p.fingerprint)).toEqual([shown.fingerprint]);
    expect(Object.values(show.pins).map((p) => (p as { fingerprint: string }).fingerprint)).toEqual([shown.fingerprint]);
    const added = await tno(['printer', 'add', 'office', printer.uri, '--state', state]);
    expect(added.out).toContain(`key PINNED ${shown.fingerprint}`);
    expect(JSON.parse((await tno(['printer', 'add', 'office', printer.uri, '--state', state, '--json'])).out).fingerprint).toBe(shown.fingerprint);
    expect(JSON.parse((await tno(['printers', '--state', state, '--json'])).out)[0].fingerprint).toBe(shown.fingerprint);
    const printed = JSON.parse((await tno(['print', join(dir, 'memo.txt'), '-d', 'office', '--state', state, '--json'])).out);
    expect(printed.trust.fingerprint).toBe(shown.fingerprint);
  });

  it('tno status shows enum keywords, and typed values in --json', async () => {
    const state = join(dir, 'state-status');
    const printed = await tno(['print', join(dir, 'memo.txt'), '--printer', printer.uri, '--state', state, '--trust-on-first-use', '-n', '2', '-o', 'print-quality=high', '--json']);
    expect(printed.code, printed.err).toBe(ExitCode.ok);
    const jobId = String(JSON.parse(printed.out).jobId);
    const text = await tno(['status', jobId, '--printer', printer.uri, '--state', state, '--private']);
    expect(text.code, text.err).toBe(ExitCode.ok);
    expect(text.out).toContain('print-quality = high');
    expect(text.out).not.toMatch(/print-quality = \d/);
    const json = await tno(['status', jobId, '--printer', printer.uri, '--state', state, '--private', '--json']);
    const sealed = JSON.parse(json.out).encryptedAttributes as Record<string, unknown>;
    expect(sealed['print-quality']).toBe('high');
    expect(sealed.copies).toBe(2);
  });

  it('with --json a failure is a JSON error object on stdout (and still one line on stderr)', async () => {
    const r = await tno(['jobs', '--printer', 'ipp://127.0.0.1:1/ipp/print', '--timeout', '2', '--json']);
    expect(r.code).toBe(ExitCode.unreachable);
    expect(JSON.parse(r.out)).toMatchObject({ error: { exitCode: ExitCode.unreachable, code: 'CLIENT_UNREACHABLE' } });
    expect(JSON.parse(r.out).error.message).toContain('127.0.0.1:1');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    const usage = await tno(['status', 'x', '--printer', printer.uri, '--json']);
    expect(JSON.parse(usage.out)).toMatchObject({ error: { exitCode: ExitCode.usage, code: 'usage' } });
    // Before any command runs: an unknown command, or flags where a sub-command belongs.
    for (const argv of [['bogus', '--json'], ['ipp', '--json'], ['trust', 'bogus', '--json']]) {
      const r = await tno(argv);
      expect(r.code, argv.join(' ')).toBe(ExitCode.usage);
      expect(JSON.parse(r.out), argv.join(' ')).toMatchObject({ error: { exitCode: ExitCode.usage, code: 'usage' } });
    }
    expect((await tno(['ipp', '--json'])).err).toContain("'tno ipp' needs a command before --json (see 'tno ipp --help')");
  });

  it('tno printer --help lists the formats the printer renders', async () => {
    const r = await tno(['printer', '--help']);
    for (const f of ['application/pdf', 'image/jpeg', 'image/pwg-raster', 'text/plain']) expect(r.out).toContain(f);
    expect(r.out).toMatch(/Formats it renders/);
  });
});
