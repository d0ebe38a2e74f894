/**
 * @trustnoone/client — print to a TRUSTNOONE printer (directly or through an intermediary), follow
 * jobs, and manage the user's trust in printer keys (docs/spec-notes.md §2–3).
 */
export { print, printerInfo, type PrintOptions, type PrintResult, type PrintProgress, type SignOptions } from './print.js';
export { status, jobs, cancel, follow, isTerminal, type JobStatus, type JobStateName, type JobCounter, type FollowOptions } from './jobs.js';
export { encryptedJobAttributes, type EncryptedJobAttributesOptions, type EncryptedJobAttributesResult } from './encrypted-attributes.js';
export { chooseRecipientKey, type RecipientKey, type KeyProtection, type RecipientKeyOptions } from './recipient-key.js';
export { decideTrust, trustedBefore, certificateUris, type TrustDecision, type TrustCandidate, type FirstUsePolicy, type TrustOptions } from './trust.js';
export { TrustStore, fingerprintOf, formatFingerprint, type Pin, type PrinterBinding } from './trust-store.js';
export { normalizePrinterUri } from './printer-uri.js';
export { pinPrinter, type PinOptions } from './pin.js';
export { makeDirectory, prepareStateDir, resolveStateDir } from './state-dir.js';
export { noteSealedJobEnded, pruneSealedJobs, ENDED_RETENTION_MS, RECORD_RETENTION_MS } from './sealed-jobs.js';
export { ownerIdentity, type OwnerIdentity } from './owner-identity.js';
export { printerInfoFrom, type PrinterInfo } from './printer-info.js';
export { jobTemplateAttributes, parseOptionStrings, type JobAttributes, type AttributeValue } from './attributes.js';
export { detectFileFormat, sniffFormat } from './formats.js';
export { type DocumentInput } from './documents.js';
export { ClientError, isClientError, type ClientErrorCode } from './errors.js';
export { checkReleaseCode, MIN_RELEASE_CODE_LENGTH, MAX_RELEASE_CODE_LENGTH } from './release-code.js';
export { defaultUserName, type Connection } from './transport.js';
/** The registry's status names (@trustnoone/ipp), re-exported for the client's callers. */
export { statusName } from '@trustnoone/ipp';
export type { WhichJobs } from './requests.js';
export { browsePrinters, parseAvahiBrowse, type DiscoveredPrinter, type BrowseOptions } from './discovery.js';
export { signIn, signOut, refreshSignIn, savedSignInCredentials, TokenStore, DEFAULT_CLIENT_ID, advertisedScope, bearerChallengeScope, type SignInOptions, type SavedSignIn, type DevicePrompt, type ScopeSource } from './oauth/index.js';
