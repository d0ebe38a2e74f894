/**
 * The shape of one operation's request rules. Kept apart from the table so the table file is
 * nothing but data, and the checker reads rules without knowing where they came from.
 */

/**
 * Which attributes name the object an operation acts on (RFC 8011 §4.1.5).
 * - `printer`: printer-uri.
 * - `job`: job-uri, or printer-uri together with job-id (RFC 8011 §4.1.5 allows either form).
 * - `system`: system-uri (PWG 5100.22 System Service operations).
 * - `printer-or-system`: printer-uri or system-uri (subscription operations under PWG 5100.22).
 */
export type Target = 'printer' | 'job' | 'system' | 'printer-or-system';

export interface OperationRule {
  /** Where the operation is defined, for messages and for readers checking the table. */
  readonly source: string;
  readonly target: Target;
  /**
   * Operation attributes the client MUST send beyond attributes-charset,
   * attributes-natural-language and the target. requesting-user-name is only RECOMMENDED
   * (RFC 8011 §4.2.1.1), so it is never listed.
   */
  readonly required?: readonly string[];
  /**
   * Pairs of 1setOf operation attributes whose values correspond one to one: sending either
   * requires the other (PWG 5100.18 Update-Active-Jobs).
   */
  readonly paired?: readonly (readonly [string, string])[];
  /** A group (other than the operation group) that must be present with at least one attribute. */
  readonly requiredGroup?: number;
}
