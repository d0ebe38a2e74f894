/**
 * The media this emulated printer loads (PWG 5101.1 self-describing names, dimensions in
 * hundredths of millimetres per PWG 5100.3 media-size).
 */
import type { IppAttribute } from '@trustnoone/ipp';
import { integer, keyword } from './values.js';

export interface MediaSize {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

export const MEDIA: readonly MediaSize[] = [
  { name: 'na_letter_8.5x11in', x: 21590, y: 27940 },
  { name: 'iso_a4_210x297mm', x: 21000, y: 29700 },
  { name: 'na_legal_8.5x14in', x: 21590, y: 35560 },
  { name: 'na_index-4x6_4x6in', x: 10160, y: 15240 },
  { name: 'iso_a5_148x210mm', x: 14800, y: 21000 },
];

export const MEDIA_READY = ['na_letter_8.5x11in', 'iso_a4_210x297mm'] as const;
export const MEDIA_DEFAULT = 'iso_a4_210x297mm';
export const MEDIA_SOURCES = ['auto', 'main'] as const;
export const MEDIA_TYPES = ['auto', 'stationery'] as const;
/** Borderless margins are 0; regular margins 4.23 mm (1/6 in), as most office printers. */
export const MARGINS = [0, 423] as const;

export function mediaByName(name: string): MediaSize | undefined {
  return MEDIA.find((m) => m.name === name);
}

export function mediaBySize(x: number, y: number): MediaSize | undefined {
  // PWG 5100.3: sizes match within ±1 hundredth of a millimetre of rounding.
  return MEDIA.find((m) => Math.abs(m.x - x) <= 1 && Math.abs(m.y - y) <= 1);
}

export function mediaSizeCol(m: MediaSize): readonly IppAttribute[] {
  return [integer('x-dimension', m.x), integer('y-dimension', m.y)];
}

/** One media-col value (PWG 5100.3 §3.13): the members IPP Everywhere clients read. */
export function mediaCol(m: MediaSize, margin: number, source = 'main'): readonly IppAttribute[] {
  return [
    keyword('media-key', `${m.name}${margin === 0 ? '_borderless' : ''}`),
    { name: 'media-size', values: [{ tag: 'collection', value: mediaSizeCol(m) }] },
    keyword('media-size-name', m.name),
    integer('media-bottom-margin', margin),
    integer('media-left-margin', margin),
    integer('media-right-margin', margin),
    integer('media-top-margin', margin),
    keyword('media-source', source),
    keyword('media-type', 'stationery'),
  ];
}
