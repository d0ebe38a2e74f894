/** Short, log-safe renderings of IPP values for reports (long strings are elided). */
import { isOutOfBand, type IppValue } from '@trustnoone/ipp';

const MAX_SHOWN = 80;

function elide(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 3)}...` : s;
}

export function describeValue(v: IppValue): string {
  if (isOutOfBand(v)) return `<${v.tag}>`;
  switch (v.tag) {
    case 'integer':
    case 'enum':
    case 'boolean':
      return String(v.value);
    case 'octetString':
    case 'raw':
      return `<${v.value.length} octets, tag ${v.tag}>`;
    case 'dateTime':
      return `${v.value.year}-${v.value.month}-${v.value.day}T${v.value.hours}:${v.value.minutes}:${v.value.seconds}`;
    case 'resolution':
      return `${v.value.x}x${v.value.y}${v.value.units === 3 ? 'dpi' : 'dpcm'}`;
    case 'rangeOfInteger':
      return `${v.value.lower}-${v.value.upper}`;
    case 'collection':
      return `{${v.value.map((m) => m.name).join(',')}}`;
    default:
      return JSON.stringify(elide(v.value));
  }
}
