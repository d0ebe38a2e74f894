/**
 * The suites as data: ids unique and scoped, every requirement cites a section, and every
 * capability a test requires is declared by an earlier test of the same role, so a dependent test
 * can only be skipped for a reason the report names. The runner: outcomes, reasons, time limits,
 * undeclared flags, and the report shapes.
 */
import { describe, expect, it } from 'vitest';
import {
  ALL_SUITES,
  CAPABILITIES,
  ConformanceFailure,
  defineSuite,
  defineTest,
  runConformance,
  selectTests,
  summaryLine,
  toMarkdown,
  type Capability,
  type Role,
} from '@trustnoone/conformance';

describe('suite definitions', () => {
  const all = ALL_SUITES.flatMap((s) => s.tests.map((t) => ({ suite: s, test: t })));

  it('have unique ids scoped by suite, a title, a section and a level', () => {
    const ids = all.map((x) => x.test.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { suite, test } of all) {
      expect(test.id.startsWith(`${suite.id}.`), test.id).toBe(true);
      expect(test.title.length, test.id).toBeGreaterThan(10);
      expect(test.section, test.id).toMatch(/§/);
      expect(['REQUIRED', 'RECOMMENDED'], test.id).toContain(test.level);
      expect(test.roles.length, test.id).toBeGreaterThan(0);
    }
    expect(all.length).toBeGreaterThan(100);
  });

  it.each(['printer', 'intermediary', 'infrastructure'] as Role[])('declare, before use, every capability a %s test requires', (role) => {
    const declared = new Set<Capability>(role === 'intermediary' ? ['printer-direct'] : []);
    for (const { test } of all.filter((x) => x.test.roles.includes(role))) {
      for (const c of test.requires ?? []) expect(declared.has(c), `${test.id} requires '${c}' before any ${role} test provides it`).toBe(true);
      for (const c of test.provides ?? []) {
        expect(Object.keys(CAPABILITIES), test.id).toContain(c);
        declared.add(c);
      }
    }
  });

  it('--only brings in, transitively, the earlier tests that establish what the chosen ones require', () => {
    const ids = [...selectTests(ALL_SUITES, 'printer', ['trustnoone-printer.replayed'])].map((t) => t.id);
    expect(ids).toEqual([
      'rfc8011-printer.get-printer-attributes',
      'pwg5100-14.printer-uuid',
      'trustnoone-printer.printer-pkcs7-public-key',
      'trustnoone-printer.certificate-usable',
      'trustnoone-printer.sealed-print-job',
      'trustnoone-printer.replayed',
    ]);
    expect(selectTests(ALL_SUITES, 'intermediary', undefined).size).toBe(all.filter((x) => x.test.roles.includes('intermediary')).length);
  });

  it('refuse ids outside their suite and duplicates', () => {
    const t = defineTest({ id: 'a.one', title: 'one', level: 'REQUIRED', section: '§1', roles: ['printer'], run: async () => {} });
    expect(() => defineSuite({ id: 'b', title: 'b', spec: 'x', tests: [t] })).toThrow(RangeError);
    expect(() => defineSuite({ id: 'a', title: 'a', spec: 'x', tests: [t, t] })).toThrow(/duplicate/);
    expect(() => defineTest({ ...t, id: 'NoDot' })).toThrow(RangeError);
  });
});

describe('runner', () => {
  const suite = defineSuite({
    id: 'demo',
    title: 'Demo | pipes',
    spec: 'TEST',
    tests: [
      defineTest({ id: 'demo.sets-flag', title: 'sets a flag', level: 'REQUIRED', section: '§1', roles: ['printer'], provides: ['ipp'], run: async (t) => t.provide('ipp') }),
      defineTest({ id: 'demo.needs-flag', title: 'needs the flag', level: 'REQUIRED', section: '§2', roles: ['printer'], requires: ['ipp'], run: async (t) => t.note('ran') }),
      defineTest({ id: 'demo.needs-missing', title: 'needs a missing flag', level: 'REQUIRED', section: '§3', roles: ['printer'], requires: ['trustnoone'], run: async () => {} }),
      defineTest({ id: 'demo.fails', title: 'fails | with a pipe', level: 'REQUIRED', section: '§4', roles: ['printer'], run: async () => { throw new ConformanceFailure('expected X\nline two'); } }),
      defineTest({ id: 'demo.recommended', title: 'recommended failure', level: 'RECOMMENDED', section: '§5', roles: ['printer'], run: async () => { throw new ConformanceFailure('nope'); } }),
      defineTest({ id: 'demo.throws', title: 'throws an Error', level: 'RECOMMENDED', section: '§6', roles: ['printer'], run: async () => { throw Object.assign(new Error('boom'), { code: 'E_BOOM' }); } }),
      defineTest({ id: 'demo.slow', title: 'too slow', level: 'RECOMMENDED', section: '§7', roles: ['printer'], timeoutMs: 50, run: () => new Promise((r) => setTimeout(r, 1000)) }),
      defineTest({ id: 'demo.undeclared', title: 'sets an undeclared flag', level: 'RECOMMENDED', section: '§8', roles: ['printer'], run: async (t) => t.provide('trustnoone') }),
      defineTest({ id: 'demo.skips', title: 'skips itself', level: 'REQUIRED', section: '§9', roles: ['printer'], run: async (t) => t.skip('not offered') }),
      defineTest({ id: 'demo.other-role', title: 'intermediary only', level: 'REQUIRED', section: '§10', roles: ['intermediary'], run: async () => {} }),
    ],
  });

  it('records outcomes and reasons, and summarises them', async () => {
    const report = await runConformance({ target: 'ipp://127.0.0.1:9/ipp/print', role: 'printer', suites: [suite] });
    const by = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(by['demo.sets-flag']).toMatchObject({ outcome: 'passed', provided: ['ipp'] });
    expect(by['demo.needs-flag']).toMatchObject({ outcome: 'passed', notes: ['ran'] });
    expect(by['demo.needs-missing']!.outcome).toBe('skipped');
    expect(by['demo.needs-missing']!.reason).toContain("'trustnoone' (printer-pkcs7-public-key is present");
    expect(by['demo.fails']).toMatchObject({ outcome: 'failed', reason: 'expected X\nline two' });
    expect(by['demo.throws']).toMatchObject({ outcome: 'failed', reason: 'error: E_BOOM: boom' });
    expect(by['demo.slow']).toMatchObject({ outcome: 'failed', reason: 'demo.slow did not finish within 50 ms' });
    expect(by['demo.undeclared']!.reason).toMatch(/without declaring it/);
    expect(by['demo.skips']).toMatchObject({ outcome: 'skipped', reason: 'not offered' });
    expect(by['demo.other-role']).toBeUndefined();
    expect(report.summary).toEqual({ passed: 2, failed: 5, skipped: 2, requiredFailed: 1, recommendedFailed: 4 });
    expect(summaryLine(report.summary)).toBe('2 passed, 5 failed, 2 skipped');
    expect(report.capabilities).toEqual(['ipp']);
  });

  it('writes Markdown rows that survive pipes and newlines', async () => {
    const report = await runConformance({ target: 'ipp://127.0.0.1:9/ipp/print', role: 'printer', suites: [suite], only: ['demo.fails'] });
    const md = toMarkdown(report);
    expect(md).toContain('**0 passed, 1 failed, 0 skipped**');
    expect(md).toContain('does NOT conform');
    expect(md).toContain('| FAIL | REQUIRED | §4 | fails \\| with a pipe (`demo.fails`) | expected X line two |');
  });
});
