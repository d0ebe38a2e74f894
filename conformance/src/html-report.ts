/**
 * The report as one self-contained HTML file (no scripts, no external stylesheets, fonts or
 * images), for interop events where results are shared as files and opened in a browser. Same
 * content as the Markdown report. Reasons and notes quote what the target sent (status messages,
 * attribute values), so every string is escaped: the target must not be able to inject markup.
 */
import type { TestResult } from './model.js';
import { conforms, summaryLine, type Report } from './report.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const MARK: Record<TestResult['outcome'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font-size: 0.9em; }
.passed { color: #1a7f37; font-weight: bold; } .failed { color: #cf222e; font-weight: bold; } .skipped { color: #8a8a8a; font-weight: bold; }
.verdict-ok { color: #1a7f37; } .verdict-fail { color: #cf222e; }
`;

function row(r: TestResult): string {
  const detail = [r.reason, ...r.notes].filter((x): x is string => x !== undefined).join('; ');
  return `<tr class="${r.outcome}"><td class="${r.outcome}">${MARK[r.outcome]}</td><td>${escapeHtml(r.level)}</td><td>${escapeHtml(r.section)}</td><td>${escapeHtml(r.title)} (<code>${escapeHtml(r.id)}</code>)</td><td>${escapeHtml(detail)}</td></tr>`;
}

export function toHtml(report: Report): string {
  const ok = conforms(report);
  const s = report.summary;
  const out: string[] = [];
  const title = `Conformance report: ${report.role} at ${report.target}`;
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  // No network access from the report, whatever a future edit adds.
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  out.push(`<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  out.push(`<h1>${escapeHtml(title)}</h1>`);
  out.push(`<p><strong>${escapeHtml(summaryLine(s))}</strong> (${s.requiredFailed} REQUIRED failed, ${s.recommendedFailed} RECOMMENDED failed)</p>`);
  out.push('<ul>');
  out.push(`<li>Verdict: <span class="${ok ? 'verdict-ok' : 'verdict-fail'}">${ok ? 'conforms (no REQUIRED test failed)' : 'does NOT conform (a REQUIRED test failed)'}</span></li>`);
  if (report.printerDirect) out.push(`<li>Printer reached directly: ${escapeHtml(report.printerDirect)}</li>`);
  out.push(`<li>Started: ${escapeHtml(report.startedAt)}, took ${(report.durationMs / 1000).toFixed(1)} s</li>`);
  out.push(`<li>Capabilities established: ${report.capabilities.length > 0 ? escapeHtml(report.capabilities.join(', ')) : 'none'}</li>`);
  out.push('</ul>');
  for (const suite of report.suites) {
    const rows = report.results.filter((r) => r.suite === suite.id);
    if (rows.length === 0) continue;
    out.push(`<h2>${escapeHtml(suite.title)} (${escapeHtml(suite.spec)})</h2>`);
    out.push('<table>', '<thead><tr><th>result</th><th>level</th><th>section</th><th>test</th><th>detail</th></tr></thead>', '<tbody>');
    for (const r of rows) out.push(row(r));
    out.push('</tbody>', '</table>');
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}
