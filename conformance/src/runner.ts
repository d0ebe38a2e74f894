/**
 * Runs suites against one target, in order: a test runs only when its role matches and every
 * capability it requires was set by an earlier test; a failure or an exception fails that test
 * alone and the run goes on.
 */
import { RunState, TestContext, type TargetOptions } from './context.js';
import { CAPABILITIES, ConformanceFailure, ConformanceSkip, type Outcome, type Suite, type TestDefinition, type TestResult } from './model.js';
import { summarize, type Report } from './report.js';
import { suitesForRole } from './suites/index.js';

export interface RunOptions extends TargetOptions {
  /** Suites to run; default: every suite with a test for the role. */
  readonly suites?: readonly Suite[];
  /** Only tests whose id starts with one of these prefixes. */
  readonly only?: readonly string[];
  /** Default per-test time limit (ms); default 60 s. */
  readonly testTimeoutMs?: number;
  /** Called after each test (progress output). */
  readonly onResult?: (result: TestResult) => void;
}

export async function runConformance(options: RunOptions): Promise<Report> {
  const started = new Date();
  const t0 = performance.now();
  const state = new RunState();
  if (options.printerDirect !== undefined) state.capabilities.add('printer-direct');
  const results: TestResult[] = [];
  const suites = options.suites ?? suitesForRole(options.role);
  const selected = selectTests(suites, options.role, options.only);
  try {
    for (const suite of suites) {
      for (const test of suite.tests) {
        if (!selected.has(test)) continue;
        const result = await runOne(suite, test, options, state);
        results.push(result);
        options.onResult?.(result);
      }
    }
  } finally {
    state.tlsAgent.destroy();
  }
  return {
    tool: '@trustnoone/conformance',
    target: options.target,
    role: options.role,
    ...(options.printerDirect !== undefined ? { printerDirect: options.printerDirect } : {}),
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    summary: summarize(results),
    capabilities: [...state.capabilities],
    suites: suites.map((s) => ({ id: s.id, title: s.title, spec: s.spec })),
    results,
  };
}

/**
 * The tests to run for `role`: all of them, or those matching `only` plus, transitively, every
 * earlier test declaring a capability they require (so `--only trustnoone-printer.replayed` also
 * runs what establishes the printer key and the first sealed job).
 */
export function selectTests(suites: readonly Suite[], role: RunOptions['role'], only: readonly string[] | undefined): Set<TestDefinition> {
  const ordered = suites.flatMap((s) => s.tests).filter((t) => t.roles.includes(role));
  if (!only) return new Set(ordered);
  const selected = new Set(ordered.filter((t) => only.some((p) => t.id.startsWith(p))));
  for (let i = ordered.length - 1; i >= 0; i--) {
    const test = ordered[i]!;
    if (!selected.has(test)) continue;
    for (const c of test.requires ?? []) {
      for (const earlier of ordered.slice(0, i)) if (earlier.provides?.includes(c)) selected.add(earlier);
    }
  }
  return new Set(ordered.filter((t) => selected.has(t))); // in run order
}

async function runOne(suite: Suite, test: TestDefinition, options: RunOptions, state: RunState): Promise<TestResult> {
  const t = new TestContext(options, state, test.provides ?? []);
  const t0 = performance.now();
  let outcome: Outcome = 'passed';
  let reason: string | undefined;
  const missing = (test.requires ?? []).filter((c) => !state.capabilities.has(c));
  if (missing.length > 0) {
    outcome = 'skipped';
    reason = `requires ${missing.map((c) => `'${c}' (${CAPABILITIES[c]})`).join(', ')}, not established by an earlier test`;
  } else {
    try {
      await withTimeout(test.run(t), test.timeoutMs ?? options.testTimeoutMs ?? 60_000, test.id);
    } catch (err) {
      if (err instanceof ConformanceSkip) {
        outcome = 'skipped';
        reason = err.message;
      } else {
        outcome = 'failed';
        reason = err instanceof ConformanceFailure ? err.message : `error: ${describeError(err)}`;
      }
    }
  }
  return {
    suite: suite.id,
    id: test.id,
    title: test.title,
    level: test.level,
    spec: suite.spec,
    section: test.section,
    outcome,
    ...(reason !== undefined ? { reason } : {}),
    notes: t.notes,
    provided: t.provided,
    durationMs: Math.round(performance.now() - t0),
  };
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}`;
  }
  return String(err);
}

async function withTimeout<T>(p: Promise<T>, ms: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceFailure(`${id} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
