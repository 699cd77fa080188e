// The forms a past run can be exported in, known to both sides: the host writes them, the window
// offers them. Kept apart from the contract so the window's export button can name them.

export const EXPORT_FORMATS = ['csv', 'csv-wide', 'mcap', 'xdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the window's button says, what it says a format is for, and the file's extension. */
export const EXPORT_FORMAT_WORDS: Record<ExportFormat, { label: string; title: string; extension: string }> = {
  csv: { label: 'CSV', title: 'CSV, one row per point: time, metric, value, tags', extension: 'csv' },
  'csv-wide': {
    label: 'Wide CSV',
    title: 'CSV, one row per time and one column per metric (with its unit)',
    extension: 'csv',
  },
  mcap: { label: 'MCAP', title: 'MCAP, to open in Foxglove or Lichtblick', extension: 'mcap' },
  xdf: { label: 'XDF', title: 'XDF, to open with LSL tools: pyxdf, EEGLAB, MNE', extension: 'xdf' },
};
