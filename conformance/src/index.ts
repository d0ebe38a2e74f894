/**
 * @trustnoone/conformance — declarative IPP, IPP Everywhere and TRUSTNOONE conformance suites and
 * a runner for any printer or intermediary URL (README.md).
 */
export { runConformance, selectTests, type RunOptions } from './runner.js';
export { toJson, toMarkdown, summaryLine, conforms, summarize, type Report, type Summary } from './report.js';
export { toHtml, escapeHtml } from './html-report.js';
export {
  CAPABILITIES,
  ConformanceFailure,
  ConformanceSkip,
  defineSuite,
  defineTest,
  type Capability,
  type Level,
  type Outcome,
  type Role,
  type Suite,
  type TestDefinition,
  type TestResult,
} from './model.js';
export { TestContext, type TargetOptions, type Credentials, type Exchange, type JobOutcome } from './context.js';
export { expectAttribute, expectStatus, expectClientError, syntaxProblem, AttributeExpectation, StatusExpectation } from './expect.js';
export { pwgRaster, mediaSizeHmm, type RasterOptions } from './documents.js';
export { ALL_SUITES, suitesForRole } from './suites/index.js';
export { generateJobVectors, readVectorKeys, vectorFiles, KEY_FILES, type GeneratedVector, type JobVector, type VectorKeys, type Expectation } from './vectors/job-vectors.js';
export { envelopeRegions, flipIn, EnvelopeShapeError, type EnvelopeRegions, type Region } from './envelope-regions.js';
export { resealEdited } from './reseal.js';
