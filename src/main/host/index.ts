// The host: everything the recorder does, in plain Node. The Electron shell and the headless
// server are two thin transports over it.
export { Host } from './host';
export type { HostOptions, RunExport } from './host-options';
export { UnprotectedSecretStore, UNPROTECTED_TAG, type SecretStore } from './secrets';
export { runCsv, csvRow, textCell, CSV_HEADER } from './csv-export';
export { ExportSink, writeExportFile } from './export-sink';
