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
//                 export-<id>-<format> (csv-wide, mcap, xdf), export-progress-<id> ("Exporting XDF… 45 %")
//                 run-details-toggle (the next run's folded details: its text says what is set),
//                   run-start-operator, run-start-description, run-start-field-add, run-start-field-key-<i>,
//                   run-start-field-value-<i>, run-start-field-remove-<i>, run-start-field-problem-<i>,
//                   run-sources-all, run-sources-some, run-source-<key> (key: plugin:<id>, serial:<id>,
//                   network:<id>, camera:<id>), run-details-edit (while recording), review-last-run
//                 past-run-size-<id>, past-run-undelivered-<id>, past-run-operator-<id>, past-run-fields-<id>,
//                   past-run-sources-<id>, run-open-<id>, run-edit-<id>, run-delete-<id>,
//                   run-delete-<id>-confirm, run-delete-error-<id>
//                 run-library, run-library-size, run-library-free, run-library-warning, run-library-deleted
// Run details     run-details-dialog: run-details-name, run-details-operator, run-details-description,
//                   run-details-field-add, run-details-field-key-<i>, run-details-field-value-<i>,
//                   run-details-field-remove-<i>, run-details-field-problem-<i>, run-details-save,
//                   run-details-error (the host's refusal)
// Run review      run-review (dialog), review-body, review-error, review-summary, review-operator,
//                 review-fields, review-edit, review-no-metrics, review-metric-<metric> (checkbox),
//                 review-metric-problem, review-moments, review-moment-<i> (data-t, data-kind = marker|event),
//                 review-mode-run, review-mode-compare, review-compare-run, review-compare-metric,
//                 review-align-start, review-align-marker, review-align-marker-a, review-align-marker-b,
//                 review-compare-none, review-compare-error
//                 review-chart and review-compare-chart: the chart roots, with data-review-ready ("1" once
//                   an answer is drawn), data-range "from,to" (shown; epoch ms, or ms since the start or
//                   marker when comparing), data-loaded-range (of the data drawn), data-pending ("1" while
//                   a request is due or out), data-points (points the answer covers), data-entries (rows
//                   drawn), data-kind (raw | minmax | mixed), data-columns, data-requests, data-answer-ms;
//                   inside: <root>-plot, <root>-earlier, <root>-later, <root>-zoom-in, <root>-zoom-out,
//                   <root>-reset, <root>-range, <root>-error, chart-marker / chart-event labels,
//                   chart-axis-unit
// Marker          marker-button, marker-note, marker-last, marker-error
// Inbox           inbox, inbox-waiting, inbox-item-<id>, inbox-state-<id>, countdown-<id>, reason-<id>,
//                 approve-<id>, reject-<id>, answer-error-<id>
//
// Instrumentation: window.__benchPerf = { frames, ticks, messages } (see perf.ts).
export {};
