import type { AttributeInput, CollectionInput } from './builder.js';
import type { IppValue } from './model.js';

/**
 * Compile-time help for the attributes most requests carry: editors complete their names and a
 * wrong type (copies: 'two') fails to compile. Anything else still goes through the index
 * signature and the registry at run time.
 */

type Keyword<K extends string> = K | (string & {});
type Maybe<T> = T | IppValue | readonly IppValue[] | undefined;

export interface MediaSizeInput extends CollectionInput {
  readonly 'x-dimension'?: Maybe<number>;
  readonly 'y-dimension'?: Maybe<number>;
}

export interface MediaColInput extends CollectionInput {
  readonly 'media-size'?: MediaSizeInput | IppValue;
  readonly 'media-size-name'?: Maybe<string>;
  readonly 'media-source'?: Maybe<Keyword<'auto' | 'main' | 'manual' | 'tray-1' | 'tray-2' | 'by-pass-tray'>>;
  readonly 'media-type'?: Maybe<Keyword<'stationery' | 'photographic' | 'labels' | 'envelope' | 'transparency'>>;
  readonly 'media-color'?: Maybe<string>;
  readonly 'media-top-margin'?: Maybe<number>;
  readonly 'media-bottom-margin'?: Maybe<number>;
  readonly 'media-left-margin'?: Maybe<number>;
  readonly 'media-right-margin'?: Maybe<number>;
}

/** RFC 8011 §5.2 and PWG 5100.x Job Template attributes commonly sent. */
export interface JobTemplateInput {
  readonly [name: string]: AttributeInput | undefined;
  readonly copies?: Maybe<number>;
  readonly sides?: Maybe<Keyword<'one-sided' | 'two-sided-long-edge' | 'two-sided-short-edge'>>;
  readonly media?: Maybe<string>;
  readonly 'media-col'?: MediaColInput | IppValue;
  readonly 'print-color-mode'?: Maybe<Keyword<'auto' | 'color' | 'monochrome' | 'bi-level' | 'process-monochrome' | 'highlight'>>;
  readonly 'print-quality'?: Maybe<3 | 4 | 5 | 'draft' | 'normal' | 'high'>;
  readonly 'orientation-requested'?: Maybe<3 | 4 | 5 | 6 | 7 | 'portrait' | 'landscape' | 'reverse-landscape' | 'reverse-portrait' | 'none'>;
  readonly finishings?: Maybe<number | string> | readonly (number | string | IppValue)[];
  readonly 'page-ranges'?: Maybe<{ readonly lower: number; readonly upper: number }> | readonly ({ readonly lower: number; readonly upper: number } | IppValue)[];
  readonly 'number-up'?: Maybe<number>;
  readonly 'output-bin'?: Maybe<string>;
  readonly 'job-priority'?: Maybe<number>;
  readonly 'job-hold-until'?: Maybe<string>;
  readonly 'multiple-document-handling'?: Maybe<Keyword<'separate-documents-collated-copies' | 'separate-documents-uncollated-copies' | 'single-document' | 'single-document-new-sheet'>>;
  readonly 'print-scaling'?: Maybe<Keyword<'auto' | 'auto-fit' | 'fill' | 'fit' | 'none'>>;
  readonly 'printer-resolution'?: IppValue;
}

/** RFC 8011 §4.2 operation attributes commonly sent (charset and language are added by the builder). */
export interface OperationInput {
  readonly [name: string]: AttributeInput | undefined;
  readonly 'printer-uri'?: Maybe<string>;
  readonly 'job-uri'?: Maybe<string>;
  readonly 'job-id'?: Maybe<number>;
  readonly 'requesting-user-name'?: Maybe<string>;
  readonly 'job-name'?: Maybe<string>;
  readonly 'document-name'?: Maybe<string>;
  readonly 'document-format'?: Maybe<string>;
  readonly 'ipp-attribute-fidelity'?: Maybe<boolean>;
  readonly 'last-document'?: Maybe<boolean>;
  readonly 'requested-attributes'?: Maybe<string> | readonly string[];
  readonly 'which-jobs'?: Maybe<Keyword<'completed' | 'not-completed' | 'all' | 'aborted' | 'canceled' | 'pending' | 'processing'>>;
  readonly limit?: Maybe<number>;
  readonly 'my-jobs'?: Maybe<boolean>;
}
