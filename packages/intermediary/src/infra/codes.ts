/**
 * RFC 3996 §5.1 / PWG 5100.18 events an output device may subscribe to. (The INFRA operation and
 * status codes are @trustnoone/ipp's IppOperation and IppStatus.)
 */
export const INFRA_EVENTS = [
  'job-fetchable',
  'job-state-changed',
  'job-created',
  'job-completed',
  'printer-state-changed',
  'printer-config-changed',
  'document-state-changed',
] as const;
export type InfraEvent = (typeof INFRA_EVENTS)[number];
