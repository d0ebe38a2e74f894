/**
 * @trustnoone/profile — the TRUSTNOONE message profile at the IPP level (docs/spec-notes.md §1–2,
 * docs/profile.md). Imports only the IPP model: the intermediary uses it, and must never reach
 * decryption.
 */
export {
  PKCS7_MIME,
  IPP_MIME,
  NEUTRAL_JOB_NAME,
  Attr,
  ENCRYPTED_JOB_ATTRIBUTES_REQUESTED,
  DOCUMENT_SECURITY_ERROR_REASON,
  DOCUMENT_PASSWORD_ERROR_REASON,
  operationId,
  type SubmissionOperation,
  type InnerOperation,
} from './constants.js';
export { ProfileError, type ProfileErrorCode } from './errors.js';
export {
  isCleartextAllowed,
  findCleartextJobTemplate,
  checkOuterRequest,
  submissionOperation,
  type CleartextViolation,
  type OuterViolation,
} from './cleartext.js';
export { buildOuterRequest, type OuterRequestOptions } from './outer.js';
export { buildInnerRequest, newJobNonce, isUrnUuid, isNestedFormat, type InnerRequestOptions, type InnerRequest } from './inner.js';
export { parseInnerRequest } from './inner-parse.js';
export { checkBinding, replayKey, MemoryReplayCache, type ReplayCache, type BindingExpectations, type BindingResult, type ReplayWindow } from './binding.js';
