// Shared helpers of the line parser tests (test/devices/parsers-*.test.ts): feed lines to a parser and
// collect the fields it yields and the problems it reports.
import type { FieldValue, LineParser, LineProblem, ProblemKind } from '../../src/main/devices/types';

export type Field = [string, FieldValue];

/** Feeds one line; returns its fields (in order) and problems. */
export function parse(parser: LineParser, line: string): { fields: Field[]; problems: LineProblem[] | null } {
  const fields: Field[] = [];
  const problems = parser.parse(line, { field: (name, value) => fields.push([name, value]) });
  return { fields, problems };
}

/** Feeds lines; returns all fields and the problems of each line. */
export function parseAll(
  parser: LineParser,
  lines: string[],
): { fields: Field[]; problems: Array<LineProblem[] | null> } {
  const fields: Field[] = [];
  const problems = lines.map((l) => parser.parse(l, { field: (name, value) => fields.push([name, value]) }));
  return { fields, problems };
}

export const kinds = (problems: LineProblem[] | null): ProblemKind[] => (problems ?? []).map((p) => p.kind);
