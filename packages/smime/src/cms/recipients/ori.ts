/**
 * OtherRecipientInfo (RFC 5652 §6.2.5): a RecipientInfo kind named by an OID, the extension point
 * through which new key-management techniques enter CMS.
 *
 *   OtherRecipientInfo ::= [4] IMPLICIT SEQUENCE {
 *     oriType OBJECT IDENTIFIER,
 *     oriValue ANY DEFINED BY oriType }
 *
 * No oriType is implemented yet: opening skips these entries like any entry not addressed to the
 * key in hand.
 */
import { isContext, type Asn1Node } from '../../asn1/ber-reader.js';

export const isOri = (ri: Asn1Node): boolean => isContext(ri, 4);
