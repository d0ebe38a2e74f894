/**
 * Reports: JSON for machines (the shape below is the contract), Markdown for people. Both carry
 * the summary line `N passed, N failed, N skipped`.
 */
import type { Capability, Level, Role, TestResult } from './model.js';

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Failed tests at level REQUIRED: any makes the run fail. */
  readonly requiredFailed: number;
  readonly recommendedFailed: number;
}

export interface Report {
  readonly tool: '@trustnoone/conformance';
  readonly target: string;
  readonly role: Role;
  readonly printerDirect?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: Summary;
  readonly capabilities: readonly Capability[];
  readonly suites: readonly { readonly id: string; readonly title: string; readonly spec: string }[];
  readonly results: readonly TestResult[];
}

export function summarize(results: readonly TestResult[]): Summary {
  const count = (o: TestResult['outcome'], level?: Level): number =>
    results.filter((r) => r.outcome === o && (level === undefined || r.level === level)).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    requiredFailed: count('failed', 'REQUIRED'),
    recommendedFailed: count('failed', 'RECOMMENDED'),
  };
}

export function summaryLine(summary: Summary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}

/** True when no REQUIRED test failed. */
export function conforms(report: Report): boolean {
  return report.summary.requiredFailed === 0;
}

export function toJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const MARK: Record<TestResult['outcome'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };

/** Markdown table cells: pipes and newlines would break the row. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`# Conformance report: ${report.role} at ${report.target}`, '');
  lines.push(`**${summaryLine(report.summary)}** (${report.summary.requiredFailed} REQUIRED failed, ${report.summary.recommendedFailed} RECOMMENDED failed)`, '');
  lines.push(`- Verdict: ${conforms(report) ? 'conforms (no REQUIRED test failed)' : 'does NOT conform (a REQUIRED test failed)'}`);
  if (report.printerDirect) lines.push(`- Printer reached directly: ${report.printerDirect}`);
  lines.push(`- Started: ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s`);
  lines.push(`- Capabilities established: ${report.capabilities.length > 0 ? report.capabilities.join(', ') : 'none'}`, '');
  for (const suite of report.suites) {
    const rows = report.results.filter((r) => r.suite === suite.id);
    if (rows.length === 0) continue;
    lines.push(`## ${suite.title} (${suite.spec})`, '');
    lines.push('| result | level | section | test | detail |', '|---|---|---|---|---|');
    for (const r of rows) {
      const detail = [r.reason, ...r.notes].filter((x): x is string => x !== undefined).join('; ');
      lines.push(`| ${MARK[r.outcome]} | ${r.level} | ${cell(r.section)} | ${cell(r.title)} (\`${r.id}\`) | ${cell(detail)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
