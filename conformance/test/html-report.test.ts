/**
 * toHtml: one self-contained file (no scripts, no external resources) with the Markdown report's
 * content, and everything that can come from the target escaped — a status message quoted in a
 * reason, a note, even the target URL.
 */
import { describe, expect, it } from 'vitest';
import { ConformanceFailure, defineSuite, defineTest, escapeHtml, runConformance, summaryLine, toHtml, toMarkdown, type Report } from '@trustnoone/conformance';

const HOSTILE = '<script>alert("pwned")</script>';

const suite = defineSuite({
  id: 'html',
  title: 'HTML <demo> & co',
  spec: 'TEST "spec"',
  tests: [
    defineTest({ id: 'html.passes', title: 'passes', level: 'REQUIRED', section: '§1', roles: ['printer'], provides: ['ipp'], run: async (t) => { t.note(`target said <img src=x onerror=alert(1)>`); t.provide('ipp'); } }),
    defineTest({ id: 'html.fails', title: 'fails with a status message', level: 'REQUIRED', section: '§2 <b>', roles: ['printer'], run: async () => { throw new ConformanceFailure(`expected successful-ok, got client-error-bad-request: "${HOSTILE}"`); } }),
    defineTest({ id: 'html.skips', title: 'skips', level: 'RECOMMENDED', section: '§3', roles: ['printer'], run: async (t) => t.skip("not offered (it's fine)") }),
  ],
});

let report: Report;
const run = async (): Promise<Report> => (report ??= await runConformance({ target: `ipp://127.0.0.1:9/ipp/print?x=${encodeURIComponent('"')}<x>`, role: 'printer', suites: [suite] }));

describe('toHtml', () => {
  it('escapes every target-controlled string: no markup from a reason, a note or the target survives', async () => {
    const html = toHtml(await run());
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<x>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('target said &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('HTML &lt;demo&gt; &amp; co (TEST &quot;spec&quot;)');
  });

  it('is self-contained: no script, link, image, frame or external URL to fetch, and a CSP that forbids fetching', async () => {
    const html = toHtml(await run());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.filter((tag) => /\b(src|href|action)\s*=/i.test(tag))).toEqual([]);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('carries what the Markdown report carries: verdict, summary line, one row per test with result, level, section, title, id, detail', async () => {
    const r = await run();
    const html = toHtml(r);
    const md = toMarkdown(r);
    expect(html).toContain(summaryLine(r.summary));
    expect(md).toContain(summaryLine(r.summary));
    expect(html).toContain('does NOT conform (a REQUIRED test failed)');
    expect(html).toContain('(1 REQUIRED failed, 0 RECOMMENDED failed)');
    expect(html).toContain('Capabilities established: ipp');
    const rows = html.match(/<tr class="(passed|failed|skipped)">.*<\/tr>/g) ?? [];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('<td class="passed">PASS</td><td>REQUIRED</td><td>§1</td><td>passes (<code>html.passes</code>)</td>');
    expect(rows[1]).toContain('<td class="failed">FAIL</td><td>REQUIRED</td><td>§2 &lt;b&gt;</td>');
    expect(rows[2]).toContain('<td class="skipped">SKIP</td><td>RECOMMENDED</td><td>§3</td><td>skips (<code>html.skips</code>)</td><td>not offered (it&#39;s fine)</td>');
    const passing = toHtml({ ...r, results: r.results.filter((x) => x.outcome === 'passed'), summary: { ...r.summary, failed: 0, requiredFailed: 0 } });
    expect(passing).toContain('conforms (no REQUIRED test failed)');
  });

  it('escapeHtml covers the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
