/**
 * Page size from a PWG 5101.1 self-describing media name (`class_name_WxHunit`, e.g.
 * `iso_a4_210x297mm`, `na_letter_8.5x11in`). Only the dimensions are used; unknown or malformed
 * names fall back to the default, as a printer falls back to media-default.
 */
export interface MediaSize {
  name: string;
  /** Width and height in inches. */
  widthIn: number;
  heightIn: number;
}

export const DEFAULT_MEDIA = 'na_letter_8.5x11in';
const SIZE = /_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$/; // PWG 5101.1 §5.1

export function mediaSize(name: string | undefined): MediaSize {
  const match = name === undefined ? null : SIZE.exec(name);
  if (!match) return mediaSize(DEFAULT_MEDIA);
  const scale = match[3] === 'mm' ? 1 / 25.4 : 1;
  const widthIn = Number(match[1]) * scale;
  const heightIn = Number(match[2]) * scale;
  // A roll or a typo could ask for anything; previews stay within 1 in .. 100 in per side.
  if (!(widthIn >= 1 && heightIn >= 1 && widthIn <= 100 && heightIn <= 100)) return mediaSize(DEFAULT_MEDIA);
  return { name: name!, widthIn, heightIn };
}
