// The data-testid list end-to-end tests rely on. Keep these stable; add, don't rename.
// `<id>` is the host's id for a source, run or command; `<name>` is a metric name.
//
// Status bar      status-bar, connection-status (data-status = ConnectionStatus), connection-action,
//                 buffered, clock, points-per-sec, status-recording, settings-open, recording-stripe,
//                 link-lost (headless: lost contact banner), startup (before the first state)
// Device setup    settings-dialog, device-name-input, device-name-problem, rename-note, api-key-input,
//                 api-key-problem, api-key-saved, api-key-replace, api-key-remove, api-key-remove-confirm,
//                 key-warning, gateway-mode-cloud, gateway-mode-custom, gateway-mode-local,
//                 gateway-url-input, gateway-ws-url-input, gateway-url-problem, gateway-error, save-settings
// Sources         sources-empty, serial-add-open, camera-add-open, plugin-add-open, network-add-open
//                 (the demo sensor is the plugin item named "demo": plugin-toggle-demo replaces demo-toggle)
//                 serial-dialog: serial-port-select, serial-ports-refresh, serial-path-input,
//                   serial-bind-serial-number, serial-baud, serial-parser, serial-name, serial-prefix,
//                   serial-add (submit when adding), serial-save (when editing), serial-form-error
//                 serial-<id>, serial-message-<id>, serial-problems-<id>, serial-connect-<id>,
//                   serial-disconnect-<id>, serial-edit-<id>, serial-remove-<id>, serial-remove-<id>-confirm,
//                   serial-error-<id>, serial-log-<id>, serial-line-<id>, serial-send-<id>
//                 camera-dialog: camera-url, camera-id, camera-fps, camera-quality, camera-add / camera-save,
//                   camera-form-error
//                 camera-<id>, camera-message-<id>, camera-fps-<id>, camera-start-<id>, camera-stop-<id>,
//                   camera-edit-<id>, camera-remove-<id>, camera-remove-<id>-confirm, camera-error-<id>
//                 webcam, webcam-select, webcam-camera-id, webcam-fps, webcam-start, webcam-stop,
//                   webcam-preview, webcam-achieved (just the fps figure the host reports),
//                   webcam-local-stats, webcam-error
//                 plugin-<name> (data-state = PluginState), plugin-toggle-<name>, plugin-message-<name>,
//                   plugin-status-<name>, plugin-points-<name> (just the figure), plugin-rejected-<name>,
//                   plugin-restarts-<name>, plugin-last-error-<name>, plugin-restart-<name>,
//                   plugin-settings-<name>, plugin-remove-<name>, plugin-remove-<name>-confirm,
//                   plugin-review-allow-<name> (untrusted), plugin-error-<name>, plugin-log-<name>
//                 plugin-add-dialog: plugin-catalog, plugin-catalog-item (data-folder), plugin-folder-input,
//                   plugin-review, plugin-inspect-error, then plugin-manifest, plugin-review-name,
//                   plugin-runs, plugin-warning, plugin-problem (no plugin-allow then), plugin-name-input,
//                   plugin-name-problem, plugin-allow, plugin-add-error, plugin-back
//                 plugin-allow-dialog: plugin-manifest, plugin-runs, plugin-allow, plugin-allow-error
//                 plugin-config-dialog: plugin-config-instance-name, plugin-config-<key>,
//                   plugin-config-<key>-problem, plugin-config-none, plugin-config-save, plugin-config-error
//                 network-<name> (data-state), network-toggle-<name>, network-message-<name>,
//                   network-points-<name>, network-problems-<name>, network-hint-<name>, network-edit-<name>,
//                   network-remove-<name>, network-error-<name>, network-log-<name>
//                 network-dialog: network-protocol-tcp, network-protocol-udp, network-port, network-parser,
//                   network-name, network-port-problem, network-name-problem, network-add / network-save,
//                   network-form-error
// Live preview    metric-filter, view-tiles, view-table, metric-count, metric-tiles, metric-table,
//                 metric-tile-<name> (tile, or row in the table view; its canvas carries data-columns,
//                   the pixel columns its sparkline draws data in), metric-value-<name>,
//                 metric-unit-<name> (when the source gave a unit), metrics-empty,
//                 events-list, events-dropped
// Run             run-name-input, run-start, run-stop, run-name-live, run-elapsed, run-points, run-error,
//                 run-stop-dialog, run-stop-confirm, run-stop-cancel (the R key's confirmation),
//                 runs-empty, past-run-<id>, export-<id>, export-done-<id>, export-error-<id>
// Marker          marker-button, marker-note, marker-last, marker-error
// Inbox           inbox, inbox-waiting, inbox-item-<id>, inbox-state-<id>, countdown-<id>, reason-<id>,
//                 approve-<id>, reject-<id>, answer-error-<id>
//
// Instrumentation: window.__benchPerf = { frames, ticks, messages } (see perf.ts).
export {};
