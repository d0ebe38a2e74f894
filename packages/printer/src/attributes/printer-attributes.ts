/**
 * The Printer Description and Status attributes (RFC 8011 §5.4, PWG 5100.14 §5.1 table 1,
 * docs/spec-notes.md §1 for the TRUSTNOONE ones). The part that depends only on the identity is built
 * once per identity, frozen and pre-encoded (D36); the live state per request; `requested-attributes`
 * filtering happens in select.ts.
 */
import { freezeAttributes, IppEnum, type IppAttribute } from '@trustnoone/ipp';
import * as cap from './capabilities.js';
import { MARGINS, MEDIA, MEDIA_DEFAULT, MEDIA_READY, MEDIA_SOURCES, MEDIA_TYPES, mediaByName, mediaCol, mediaSizeCol } from './media.js';
import {
  boolean,
  charset,
  collection,
  dateTime,
  enumAttr,
  integer,
  keyword,
  mimeType,
  nameAttr,
  naturalLanguage,
  octets,
  outOfBand,
  range,
  resolution,
  text,
  uri,
} from './values.js';

export interface PrinterIdentity {
  readonly name: string;
  readonly uuid: string;
  readonly makeAndModel: string;
  readonly location: string;
  readonly info: string;
  /** Every URI the printer answers on (ipp and, with TLS, ipps). */
  readonly uris: readonly string[];
  /** The printer certificate as PEM lines (docs/spec-notes.md §1): empty lines dropped. */
  readonly pkcs7PublicKeyLines: readonly string[];
  readonly requireEncryption: boolean;
  /** printer-pkcs7-repertoire-configured: the PIN release repertoire, or 'none' (no PIN release). */
  readonly pinRepertoire: cap.PinRepertoire | 'none';
  /**
   * operations-supported (RFC 8011 §5.4.15): the codes of the operation table the transport
   * dispatches by (ops/operation-table.ts), so the two cannot disagree.
   */
  readonly operations: readonly number[];
  /** OAuth sign-in: where clients get tokens and which scopes they need (issue 19). */
  readonly oauth?: { readonly issuer: string; readonly scopes: readonly string[] };
}

export interface PrinterStatus {
  readonly state: 'idle' | 'processing' | 'stopped';
  readonly stateReasons: readonly string[];
  readonly stateMessage: string;
  readonly isAcceptingJobs: boolean;
  readonly queuedJobCount: number;
  readonly startedAt: Date;
  readonly stateChangedAt: Date;
  readonly now: Date;
}

/** RFC 8011 §5.4.29: printer-up-time and the *-time attributes count seconds from 1 at start. */
export function upTimeAt(startedAt: Date, at: Date | number): number {
  const t = typeof at === 'number' ? at : at.getTime();
  return Math.max(1, Math.floor((t - startedAt.getTime()) / 1000) + 1);
}

function httpUri(ippUri: string, path: string): string {
  const u = new URL(ippUri);
  const scheme = u.protocol === 'ipps:' ? 'https:' : 'http:';
  return `${scheme}//${u.host}${path}`;
}

/**
 * The attributes that depend only on the identity, frozen and encoded once per identity
 * (freezeAttributes, docs/decisions.md D36): Get-Printer-Attributes answers copy their bytes
 * instead of encoding ~100 attributes afresh. A new identity (setUris makes one) gets its own.
 */
const describedIdentities = new WeakMap<PrinterIdentity, readonly IppAttribute[]>();

export function printerAttributes(id: PrinterIdentity, st: PrinterStatus): IppAttribute[] {
  let description = describedIdentities.get(id);
  if (description === undefined) {
    description = freezeAttributes(descriptionAttributes(id));
    describedIdentities.set(id, description);
  }
  return [...description, ...statusAttributes(st)];
}

function descriptionAttributes(id: PrinterIdentity): IppAttribute[] {
  const mainUri = id.uris[0] ?? 'ipp://127.0.0.1/ipp/print';
  const formats = id.requireEncryption ? [cap.PKCS7_MIME] : [...cap.DOCUMENT_FORMATS];
  const mediaDefault = mediaByName(MEDIA_DEFAULT)!;
  const readyCols = MEDIA_READY.map((n) => mediaCol(mediaByName(n)!, MARGINS[1]));
  const dbCols = MEDIA.flatMap((m) => MARGINS.map((margin) => mediaCol(m, margin, 'auto')));
  return [
    // RFC 8011 §5.4 Printer Description
    uri('printer-uri-supported', id.uris),
    keyword('uri-security-supported', id.uris.map((u) => (u.startsWith('ipps:') ? 'tls' : 'none'))),
    // 'oauth' tells a client (libcups 3, tno) to sign in at oauth-authorization-server-uri.
    keyword('uri-authentication-supported', id.uris.map(() => (id.oauth ? 'oauth' : 'requesting-user-name'))),
    ...(id.oauth ? [uri('oauth-authorization-server-uri', [id.oauth.issuer])] : []),
    ...(id.oauth && id.oauth.scopes.length > 0 ? [nameAttr('oauth-authorization-scope', id.oauth.scopes)] : []),
    nameAttr('printer-name', id.name),
    text('printer-location', id.location),
    text('printer-info', id.info),
    uri('printer-more-info', httpUri(mainUri, '/')),
    text('printer-make-and-model', id.makeAndModel),
    text('printer-device-id', `MFG:trustnoone;MDL:${id.makeAndModel};CMD:PWGRaster,JPEG,PDF,TXT;`),
    uri('printer-uuid', `urn:uuid:${id.uuid}`),
    outOfBand('printer-geo-location', 'unknown'),
    text('printer-organization', ''),
    text('printer-organizational-unit', ''),
    uri('printer-icons', httpUri(mainUri, '/icon.png')),
    uri('printer-supply-info-uri', httpUri(mainUri, '/supplies')),
    octets('printer-supply', 'index=1;class=supplyThatIsConsumed;type=toner;unit=percent;maxcapacity=100;level=80;colorantname=black;'),
    // PWG 5100.13 §6.5.16/17: the trays, in the RFC 3805 key=value form.
    octets('printer-input-tray', [
      'type=sheetFeedAutoRemovableTray;mediafeed=0;mediaxfeed=0;maxcapacity=-2;level=-2;status=0;name=auto;',
      'type=sheetFeedAutoRemovableTray;mediafeed=29700;mediaxfeed=21000;maxcapacity=250;level=-3;status=0;name=main;',
    ]),
    // A face-down bin stacks first to last: CUPS reverses the pages for lastToFirst (issue 13.5).
    octets('printer-output-tray', 'type=unRemovableBin;maxcapacity=100;remaining=-3;status=0;name=face-down;stackingorder=firstToLast;pagedelivery=faceDown;'),
    keyword('printer-kind', 'document'),
    text('printer-supply-description', 'Black Toner'),
    enumAttr('operations-supported', [...id.operations]),
    charset('charset-configured', 'utf-8'),
    charset('charset-supported', ['us-ascii', 'utf-8']),
    naturalLanguage('natural-language-configured', 'en'),
    naturalLanguage('generated-natural-language-supported', 'en'),
    mimeType('document-format-default', id.requireEncryption ? cap.PKCS7_MIME : cap.DOCUMENT_FORMAT_DEFAULT),
    mimeType('document-format-supported', formats),
    keyword('printer-get-attributes-supported', 'document-format'),
    keyword('compression-supported', [...cap.COMPRESSIONS]),
    keyword('ipp-versions-supported', ['1.1', '2.0']),
    keyword('ipp-features-supported', ['ipp-everywhere', 'trustnoone']),
    keyword('pdl-override-supported', 'attempted'),
    boolean('job-ids-supported', true),
    boolean('preferred-attributes-supported', false),
    boolean('multiple-document-jobs-supported', true),
    integer('multiple-operation-time-out', 60),
    keyword('multiple-operation-time-out-action', 'abort-job'),
    range('job-k-octets-supported', 0, 2_147_483_647),
    range('job-impressions-supported', 0, 2_147_483_647),
    keyword('which-jobs-supported', [...cap.WHICH_JOBS]),
    keyword('job-creation-attributes-supported', [...cap.JOB_CREATION_ATTRIBUTES]),
    keyword('identify-actions-default', 'sound'),
    keyword('identify-actions-supported', [...cap.IDENTIFY_ACTIONS]),
    integer('pages-per-minute', 20),
    boolean('color-supported', true),
    integer('pages-per-minute-color', 20),
    // PWG 5100.6: the registered selectors; no attribute may vary between them (job-template.ts).
    keyword('overrides-supported', [...cap.OVERRIDES]),
    boolean('page-ranges-supported', true),
    // RFC 8011 §5.2 / PWG 5100.14 Job Template defaults and supported values
    integer('copies-default', 1),
    range('copies-supported', 1, cap.COPIES_MAX),
    enumAttr('finishings-default', 3),
    enumAttr('finishings-supported', [...cap.FINISHINGS]),
    collection('finishings-col-default', [keyword('finishing-template', 'none')]),
    collection('finishings-col-database', [keyword('finishing-template', 'none')]),
    collection('finishings-col-ready', [keyword('finishing-template', 'none')]),
    keyword('finishings-col-supported', 'finishing-template'),
    keyword('job-hold-until-default', 'no-hold'),
    keyword('job-hold-until-supported', [...cap.JOB_HOLD_UNTIL]),
    integer('job-priority-default', 50),
    integer('job-priority-supported', 1),
    nameAttr('job-sheets-default', 'none'),
    nameAttr('job-sheets-supported', [...cap.JOB_SHEETS]),
    keyword('media-default', MEDIA_DEFAULT),
    keyword('media-ready', [...MEDIA_READY]),
    keyword('media-supported', MEDIA.map((m) => m.name)),
    collection('media-col-default', mediaCol(mediaDefault, MARGINS[1])),
    collection('media-col-ready', readyCols),
    collection('media-col-database', dbCols),
    keyword('media-col-supported', [
      'media-bottom-margin',
      'media-left-margin',
      'media-right-margin',
      'media-size',
      'media-size-name',
      'media-source',
      'media-top-margin',
      'media-type',
    ]),
    collection('media-size-supported', MEDIA.map(mediaSizeCol)),
    integer('media-bottom-margin-supported', [...MARGINS]),
    integer('media-left-margin-supported', [...MARGINS]),
    integer('media-right-margin-supported', [...MARGINS]),
    integer('media-top-margin-supported', [...MARGINS]),
    keyword('media-source-supported', [...MEDIA_SOURCES]),
    keyword('media-type-supported', [...MEDIA_TYPES]),
    keyword('multiple-document-handling-default', 'separate-documents-collated-copies'),
    keyword('multiple-document-handling-supported', [...cap.MULTIPLE_DOCUMENT_HANDLING]),
    integer('number-up-default', 1),
    integer('number-up-supported', 1),
    enumAttr('orientation-requested-default', 3),
    enumAttr('orientation-requested-supported', [...cap.ORIENTATIONS]),
    keyword('output-bin-default', 'face-down'),
    keyword('output-bin-supported', [...cap.OUTPUT_BINS]),
    keyword('print-color-mode-default', 'auto'),
    keyword('print-color-mode-supported', [...cap.COLOR_MODES]),
    keyword('print-content-optimize-default', 'auto'),
    keyword('print-content-optimize-supported', [...cap.PRINT_CONTENT_OPTIMIZE]),
    keyword('print-rendering-intent-default', 'auto'),
    keyword('print-rendering-intent-supported', 'auto'),
    keyword('print-scaling-default', 'auto'),
    keyword('print-scaling-supported', [...cap.PRINT_SCALING]),
    enumAttr('print-quality-default', 4),
    enumAttr('print-quality-supported', [...cap.PRINT_QUALITIES]),
    resolution('printer-resolution-default', 300),
    resolution('printer-resolution-supported', [...cap.RESOLUTIONS]),
    keyword('sides-default', 'one-sided'),
    keyword('sides-supported', [...cap.SIDES]),
    resolution('pwg-raster-document-resolution-supported', [...cap.PWG_RASTER_RESOLUTIONS]),
    keyword('pwg-raster-document-sheet-back', 'normal'),
    keyword('pwg-raster-document-type-supported', [...cap.PWG_RASTER_TYPES]),
    // docs/spec-notes.md §1: TRUSTNOONE printer attributes
    text('printer-pkcs7-public-key', id.pkcs7PublicKeyLines),
    mimeType('pkcs7-document-format-supported', [...cap.RENDER_FORMATS]),
    keyword('printer-pkcs7-repertoire-supported', id.pinRepertoire === 'none' ? ['none'] : [...cap.PIN_REPERTOIRES]),
    keyword('printer-pkcs7-repertoire-configured', id.pinRepertoire),
    // Provisional (docs/spec-notes.md §2): the inner request format a sealed job must carry.
    mimeType('encrypted-job-request-format-supported', cap.ENCRYPTED_REQUEST_FORMAT),
  ];
}

function statusAttributes(st: PrinterStatus): IppAttribute[] {
  return [
    // RFC 8011 §5.4 Printer Status
    enumAttr('printer-state', IppEnum.printerState[st.state]),
    keyword('printer-state-reasons', st.stateReasons.length > 0 ? [...st.stateReasons] : ['none']),
    text('printer-state-message', st.stateMessage),
    boolean('printer-is-accepting-jobs', st.isAcceptingJobs),
    integer('queued-job-count', st.queuedJobCount),
    integer('printer-up-time', upTimeAt(st.startedAt, st.now)),
    dateTime('printer-current-time', st.now),
    integer('printer-state-change-time', upTimeAt(st.startedAt, st.stateChangedAt)),
    dateTime('printer-state-change-date-time', st.stateChangedAt),
    integer('printer-config-change-time', 1),
    dateTime('printer-config-change-date-time', st.startedAt),
  ];
}
