/** The suites, in the order they run: base IPP first (they set the capability flags), TRUSTNOONE last. */
import type { Role, Suite } from '../model.js';
import { pwg5100_14 } from './pwg5100-14-everywhere.js';
import { rfc8011Jobs } from './rfc8011-jobs.js';
import { rfc8011Printer } from './rfc8011-printer.js';
import { rfc8011Requests } from './rfc8011-requests.js';
import { trustnooneDocuments } from './trustnoone-documents.js';
import { trustnooneHostileRelay } from './trustnoone-hostile-relay.js';
import { trustnooneInfra } from './trustnoone-infra.js';
import { trustnooneIntermediary } from './trustnoone-intermediary.js';
import { trustnoonePrinter } from './trustnoone-printer.js';
import { trustnooneRelease } from './trustnoone-release.js';

export const ALL_SUITES: readonly Suite[] = [rfc8011Printer, rfc8011Requests, pwg5100_14, rfc8011Jobs, trustnoonePrinter, trustnooneDocuments, trustnooneRelease, trustnooneIntermediary, trustnooneInfra, trustnooneHostileRelay];

export function suitesForRole(role: Role): Suite[] {
  return ALL_SUITES.filter((s) => s.tests.some((t) => t.roles.includes(role)));
}

export { pwg5100_14, rfc8011Jobs, rfc8011Printer, rfc8011Requests, trustnooneDocuments, trustnooneHostileRelay, trustnooneInfra, trustnooneIntermediary, trustnoonePrinter, trustnooneRelease };
