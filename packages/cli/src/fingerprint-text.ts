/**
 * The one way tno shows a SHA-256 fingerprint, to people and in --json alike (issue 15.7): upper
 * case hex pairs joined by colons (AB:CD:...), as the printer's panel and web page show it. Stores
 * and libraries keep lower-case hex; every flag accepts either form.
 */
import { formatFingerprint } from '@trustnoone/client';

/** `hex` (lower or upper case, with or without colons) in the display form. */
export function displayFingerprint(hex: string): string {
  return formatFingerprint(hex.replace(/:/g, '').toLowerCase());
}
