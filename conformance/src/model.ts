/**
 * The declarative model of the suite. A suite groups the tests of one specification; a test names
 * the requirement it checks (level, spec section, roles) and what it depends on, so reports can be
 * read against the specification line by line, the way the PWG self-certification manuals are.
 */
import type { TestContext } from './context.js';

/** RFC 2119 levels as the specifications use them; only REQUIRED failures fail a run. */
export type Level = 'REQUIRED' | 'RECOMMENDED';

/**
 * What the target is: a printer (opens sealed jobs), a pass-through intermediary (never can), or
 * an INFRA Infrastructure Printer (PWG 5100.18) that output devices fetch jobs from — the suite
 * then plays the output device (Proxy) as well as the client.
 */
export type Role = 'printer' | 'intermediary' | 'infrastructure';

/**
 * Capability flags: set by a test that establishes a fact about the target, read by the tests
 * that only make sense when the fact holds. A test whose flags are missing is skipped, and the
 * report says which flag was missing and why it would have been set.
 */
export const CAPABILITIES = {
  ipp: 'the target answers Get-Printer-Attributes with successful-ok',
  'print-job': 'Print-Job is in operations-supported',
  'create-job': 'Create-Job and Send-Document are in operations-supported',
  'validate-job': 'Validate-Job is in operations-supported',
  'multiple-documents': 'multiple-document-jobs-supported is true',
  'pwg-raster': 'image/pwg-raster is in document-format-supported',
  'jobs': 'a cleartext Print-Job created a job (job-id returned)',
  trustnoone: 'printer-pkcs7-public-key is present (TRUSTNOONE advertised)',
  'printer-key': 'printer-pkcs7-public-key parses into a certificate with a usable key',
  'printer-uuid': 'printer-uuid is a urn:uuid: URI',
  'sealed-print': 'a sealed Print-Job was accepted and completed',
  'sealed-job-id': 'a sealed job exists whose owner is the suite user',
  'get-encrypted-job-attributes': 'Get-Encrypted-Job-Attributes is in operations-supported',
  'printer-direct': 'the printer behind the intermediary was given with --printer-direct',
  'requires-encryption': 'the target refuses cleartext jobs (end-to-end policy)',
  'infra-device': "the suite's output device was registered with Register-Output-Device",
  'infra-identity': "Get-Printer-Attributes shows the printer-uuid and key the suite's output device reported",
  'infra-job': "a sealed job sealed to the suite's key is fetchable",
  'infra-acknowledged': "the suite's output device fetched and acknowledged that job (it is bound to the device)",
  'infra-multi-document': "the suite's output device fetched and acknowledged every document of a sealed two-document job",
} as const;
export type Capability = keyof typeof CAPABILITIES;

export interface TestDefinition {
  /** Stable identifier used in reports and `--only`; `<suite>.<short-name>`. */
  readonly id: string;
  readonly title: string;
  readonly level: Level;
  /** The section of the suite's specification the test checks, e.g. "§5.4.15". */
  readonly section: string;
  readonly roles: readonly Role[];
  /** Flags that earlier tests must have set; otherwise the test is skipped with the reason. */
  readonly requires?: readonly Capability[];
  /** Flags the test may set (only when what they state was observed); declared so a reader, and
   *  the suite's own tests, can check every `requires` is met by an earlier test. */
  readonly provides?: readonly Capability[];
  /** Per-test time limit (ms); default from the run options. */
  readonly timeoutMs?: number;
  readonly run: (t: TestContext) => Promise<void>;
}

export interface Suite {
  readonly id: string;
  readonly title: string;
  /** The specification the suite checks, as cited in reports ("RFC 8011", "PWG 5100.14"). */
  readonly spec: string;
  readonly tests: readonly TestDefinition[];
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  readonly suite: string;
  readonly id: string;
  readonly title: string;
  readonly level: Level;
  readonly spec: string;
  readonly section: string;
  readonly outcome: Outcome;
  /** Why it failed or was skipped; absent when it passed. */
  readonly reason?: string;
  /** Facts observed on the way that a reader should see (policy reported, statuses seen). */
  readonly notes: readonly string[];
  /** Capability flags the test set. */
  readonly provided: readonly Capability[];
  readonly durationMs: number;
}

/** Thrown by a test (or an assertion) to fail it with a message that cites what was expected. */
export class ConformanceFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConformanceFailure';
  }
}

/** Thrown by a test to skip itself when the target does not offer what the test needs. */
export class ConformanceSkip extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceSkip';
  }
}

/** Declares a test; identity function kept for type inference and a single place to validate ids. */
export function defineTest(test: TestDefinition): TestDefinition {
  if (!/^[a-z0-9-]+\.[a-z0-9.-]+$/.test(test.id)) throw new RangeError(`test id '${test.id}' must be '<suite>.<name>' in lowercase`);
  return test;
}

export function defineSuite(suite: Suite): Suite {
  const seen = new Set<string>();
  for (const t of suite.tests) {
    if (!t.id.startsWith(`${suite.id}.`)) throw new RangeError(`test '${t.id}' is not in suite '${suite.id}'`);
    if (seen.has(t.id)) throw new RangeError(`duplicate test id '${t.id}'`);
    seen.add(t.id);
  }
  return suite;
}
