/**
 * OtherRecipientInfo (RFC 5652 §6.2.5): a RecipientInfo kind named by an OID, the extension point
 * through which new key-management techniques enter CMS.
 *
 *   OtherRecipientInfo ::= [4] IMPLICIT SEQUENCE {
 *     oriType OBJECT IDENTIFIER,
 *     oriValue ANY DEFINED BY oriType }
 *
 * One oriType is implemented: id-ori-kem, KEMRecipientInfo (RFC 9629), in kem.ts. Others are
 * skipped like any entry not addressed to the key in hand.
 */
import { isContext, readOid, type Asn1Node } from '../../asn1/ber-reader.js';
import { malformed } from '../../errors.js';
import { OID } from '../../oids.js';
import { kemriCandidates, type KemPrivateKey } from './kem.js';
import type { Candidate } from './types.js';

export const isOri = (ri: Asn1Node): boolean => isContext(ri, 4);

export function oriCandidates(ri: Asn1Node, index: number, key: KemPrivateKey): Candidate[] {
  if (!ri.constructed || ri.children.length !== 2) throw malformed('OtherRecipientInfo must have oriType and oriValue', ri.offset);
  const oriType = readOid(ri.children[0], 'oriType');
  if (oriType === OID.oriKem) return kemriCandidates(ri.children[1]!, index, key);
  return [];
}
