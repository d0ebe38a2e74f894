/**
 * KEKRecipientInfo (RFC 5652 §6.2.3): the content-encryption key wrapped under a symmetric key
 * that sender and recipient agreed out of band.
 *
 *   KEKRecipientInfo ::= [2] IMPLICIT SEQUENCE {
 *     version CMSVersion,  -- always set to 4
 *     kekid KEKIdentifier,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 * TRUSTNOONE addresses a printer by its certificate, never by a pre-shared key, so trustnoone
 * neither writes nor opens this kind. An envelope may still carry one for another recipient:
 * opening skips it, as it skips any entry not addressed to the key in hand.
 */
import { isContext, type Asn1Node } from '../../asn1/ber-reader.js';

export const isKekri = (ri: Asn1Node): boolean => isContext(ri, 2);
