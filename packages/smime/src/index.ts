// Public API of @trustnoone/smime: sealing and opening CMS envelopes (RFC 5652, RFC 5083/5084,
// RFC 5753, RFC 8418, RFC 8419), certificate and key helpers.
export { CmsError, CmsErrorCode, isCmsError } from './errors.js';
export { seal, sealFile, sealToBytes, sealChunks, type SealOptions } from './cms/seal.js';
export { open, openFile, openToFile, openCore, type OpenOptions, type OpenResult, type OpenedEnvelope } from './cms/open.js';
export type { RecipientInput } from './cms/recipients/recipient-infos.js';
export type { RecipientOptions, RecipientUsed } from './cms/recipients/types.js';
export { DEFAULT_PBKDF2_ITERATIONS, type PasswordRecipientOptions, type PasswordPrf } from './cms/recipients/pwri.js';
export type { PwriKekCipher } from './crypto/pwri-kek-wrap.js';
export type { RecipientId, IdentifierKind } from './cms/recipient-identifier.js';
export type { SignerOptions } from './cms/signed-data-write.js';
export type { VerifiedSigner } from './cms/signer-verify.js';
export { type Attribute } from './cms/attributes.js';
export type { ContentCipher, GcmCipher, CbcCipher } from './cms/content-cipher.js';
export { defaultLimits, type CmsLimits } from './cms/limits.js';
export type { ByteInput } from './cms/input.js';
export {
  parseCertificate,
  parseCertificates,
  certificateToPem,
  certificateUuids,
  formatFingerprint,
  type Certificate,
  type CertificateInput,
  type KeyKind,
} from './x509/certificate.js';
export { loadPrivateKey, loadRecipientKey, loadKemPrivateKey, isKemKey, privateKeyToPem, type PrivateKeyInput, type KemPrivateKey } from './x509/keys.js';
export { loadSigningKey, isMlDsaKey, signingKeyToPem, type SigningKey } from './x509/keys.js';
export { MlDsaPrivateKey, mlDsaSpki, loadMlDsaPrivateKey } from './x509/ml-dsa-keys.js';
export { ML_DSA, type MlDsaAlgorithm } from './crypto/ml-dsa.js';
export { MlKemPrivateKey, mlKemSpki, loadMlKemPrivateKey } from './x509/ml-kem-keys.js';
export { CompositeKemPrivateKey } from './x509/composite-kem-keys.js';
export { ML_KEM, type MlKemAlgorithm } from './crypto/ml-kem.js';
export { COMPOSITE_KEM, type CompositeKemAlgorithm } from './crypto/composite-kem.js';
export { KEMS, type KemAlgorithm } from './crypto/kems.js';
export { pemEncode, pemDecodeAll, pemLines, joinPemLines } from './x509/pem.js';
export { OID } from './oids.js';
export { certificateSignedBy } from './cms/chain.js';
export { contentInfoType, CONTENT_INFO_HEAD_BYTES } from './cms/content-info-type.js';
// For callers of openCore/sealChunks that own a chunk (`ours`) and are done with it (stream/release.ts).
export { release as releaseBuffer } from './stream/release.js';
export {
  generateKeyPair,
  createCertificate,
  createCertificateAuthority,
  createIdentity,
  createKemIdentity,
  createMlDsaIdentity,
  type MlDsaIdentity,
  type SigningIdentity,
  type KeyAlgorithm,
  type CertificateTemplate,
  type Identity,
} from './x509/generate.js';
export type { NameAttributes } from './x509/name.js';
