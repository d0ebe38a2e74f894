/** @trustnoone/cli/demo: the end-to-end demo as a library (what `tno demo` runs). */
export { newDemoReport, runDemo, type DemoOptions, type DemoReport, type DemoStepListener } from './run-demo.js';
export { sampleDocument, type Sample } from './sample.js';
export { scanTree, type ScanResult } from './scan.js';
