/**
 * Operation attributes that carry exactly one value in every operation that defines them. The
 * registry check of validateRequest covers registered attributes already; this list holds them
 * for validateOperation on its own, and names the TRUSTNOONE and INFRA ones in one place.
 * Sources: RFC 8011 §4.2.1.1 and §4.3.1; RFC 3996 §5.1 (notify-wait); PWG 5100.18 and 5100.22
 * (output-device-uuid, document-number, fetch-status-*); TRUSTNOONE docs/spec-notes.md §2
 * (encrypted-job-request-id). Attributes defined as 1setOf (requested-attributes, job-ids,
 * notify-subscription-ids, requesting-user-pkcs7-public-key, ...) are deliberately absent.
 */
export const SINGLE_VALUED_OPERATION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'printer-uri',
  'job-uri',
  'job-id',
  'system-uri',
  'requesting-user-name',
  'requesting-user-uri',
  'job-name',
  'ipp-attribute-fidelity',
  'document-name',
  'document-uri',
  'document-format',
  'document-natural-language',
  'document-number',
  'compression',
  'last-document',
  'job-k-octets',
  'job-impressions',
  'job-media-sheets',
  'limit',
  'which-jobs',
  'my-jobs',
  'first-index',
  'message',
  'notify-job-id',
  'notify-wait',
  'output-device-uuid',
  'fetch-status-code',
  'fetch-status-message',
  'encrypted-job-request-id',
]);
