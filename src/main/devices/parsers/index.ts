// The line parsers of the device layer: one per ParserKind, chosen per device (or detected from
// its first lines with detectParser). Each turns one decoded line into fields for a FieldSink and
// returns the line's problems; field names are raw (the reader adds the device prefix).

import type { LineParser, ParserKind } from '../types';
import { CsvParser } from './csv';
import { JsonlParser } from './jsonl';
import { KvParser } from './kv';
import { PlotterParser } from './plotter';

export { CsvParser, colName, splitCsvLine } from './csv';
export { detectParser, DETECT_LINES, type Detection } from './detect';
export { JsonlParser, MAX_JSON_DEPTH, MAX_JSON_NAME_CHARS } from './jsonl';
export { KvParser } from './kv';
export { PlotterParser, valueName } from './plotter';
export { classifyNumber, isNotFiniteText, parseNumber, scanNumber, type NumberClass } from './number';
export { MAX_PROBLEMS_PER_LINE, isNoise } from './common';

export const PARSER_KINDS: readonly ParserKind[] = ['plotter', 'csv', 'jsonl', 'kv'];

/** A fresh parser of the given kind (parsers keep per-device state: one per device). */
export function createParser(kind: ParserKind): LineParser {
  switch (kind) {
    case 'plotter':
      return new PlotterParser();
    case 'csv':
      return new CsvParser();
    case 'jsonl':
      return new JsonlParser();
    case 'kv':
      return new KvParser();
    default:
      throw new Error(`unknown parser kind ${JSON.stringify(kind)} (expected ${PARSER_KINDS.join(', ')})`);
  }
}
