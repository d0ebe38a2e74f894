/**
 * What this printer supports, as data: the IPP Everywhere (PWG 5100.14 §5) and TRUSTNOONE
 * (docs/spec-notes.md §1) values that both the Get-Printer-Attributes answer and the request checks use,
 * so what is advertised and what is accepted cannot drift apart.
 */

import { RENDER_FORMATS } from '../render/types.js';

/** Renderable formats: the renderers' own list; application/octet-stream below means "sniff it". */
export { RENDER_FORMATS, type RenderFormat } from '../render/types.js';

/** docs/spec-notes.md §2: the outer document-format of a sealed job. */
export const PKCS7_MIME = 'application/pkcs7-mime';
/** docs/spec-notes.md §2: the only inner format of a sealed job request. */
export const ENCRYPTED_REQUEST_FORMAT = 'application/ipp';

export const DOCUMENT_FORMATS = ['application/octet-stream', ...RENDER_FORMATS, PKCS7_MIME] as const;
export const DOCUMENT_FORMAT_DEFAULT = 'application/octet-stream';

export const COMPRESSIONS = ['none', 'deflate', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export const SIDES = ['one-sided', 'two-sided-long-edge', 'two-sided-short-edge'] as const;
export const COLOR_MODES = ['auto', 'color', 'monochrome'] as const;
export const PRINT_QUALITIES = [3, 4, 5] as const; // RFC 8011 §5.2.13 draft, normal, high
export const ORIENTATIONS = [3, 4, 5, 6] as const; // RFC 8011 §5.2.10
export const RESOLUTIONS = [150, 300, 600] as const;
/** PWG 5102.4 raster input accepted at this resolution only (as a 300 dpi engine would). */
export const PWG_RASTER_RESOLUTIONS = [300] as const;
export const PWG_RASTER_TYPES = ['black_1', 'sgray_8', 'srgb_8', 'srgb_16', 'cmyk_8'] as const;
export const COPIES_MAX = 999;
export const FINISHINGS = [3] as const; // none
export const OUTPUT_BINS = ['face-down'] as const;
export const PRINT_CONTENT_OPTIMIZE = ['auto', 'photo', 'graphic', 'text', 'text-and-graphic'] as const;
export const PRINT_SCALING = ['auto', 'auto-fit', 'fill', 'fit', 'none'] as const;
export const MULTIPLE_DOCUMENT_HANDLING = ['separate-documents-uncollated-copies', 'separate-documents-collated-copies'] as const;
export const JOB_SHEETS = ['none'] as const;
export const WHICH_JOBS = ['completed', 'not-completed', 'aborted', 'all', 'canceled', 'pending', 'processing'] as const;
export const IDENTIFY_ACTIONS = ['display', 'sound'] as const;

/** RFC 8011 §5.2 / PWG 5100.14 §5.2: the Job Template attributes accepted in a job creation request. */
/** job-hold-until values (RFC 8011 §5.2.2): no time-of-day holds. */
export const JOB_HOLD_UNTIL = ['no-hold', 'indefinite'] as const;
/** overrides-supported (PWG 5100.6): the selectors only. */
export const OVERRIDES = ['document-numbers', 'pages'] as const;
export const JOB_CREATION_ATTRIBUTES = [
  'copies',
  'finishings',
  'ipp-attribute-fidelity',
  'job-hold-until',
  'job-name',
  'job-priority',
  'job-sheets',
  'media',
  'media-col',
  'multiple-document-handling',
  'orientation-requested',
  'output-bin',
  'overrides',
  'print-color-mode',
  'print-content-optimize',
  'print-quality',
  'print-scaling',
  'printer-resolution',
  'sides',
] as const;

/**
 * docs/spec-notes.md §2 secure PIN release: the job-password repertoires (PWG 5100.11) a release code may
 * be drawn from. The code is checked by decryption (a PasswordRecipientInfo inside the sealed
 * job), so any repertoire works; the configured one is what the panel offers for entry and what
 * clients check a code against before sending. 'none' turns PIN release off.
 */
export const PIN_REPERTOIRES = ['iana_us-ascii_digits', 'iana_us-ascii_any', 'iana_utf-8_any'] as const;
export type PinRepertoire = (typeof PIN_REPERTOIRES)[number];
export const PIN_REPERTOIRE_DEFAULT: PinRepertoire = 'iana_us-ascii_digits';
/** Wrong release codes a held job takes before it is aborted (document-password-error). */
export const PIN_ATTEMPTS_DEFAULT = 5;
/** How long a held job waits for its release code before it is aborted and deleted: 24 hours. */
export const PIN_HOLD_MS_DEFAULT = 24 * 3600 * 1000;
