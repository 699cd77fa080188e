// Add or edit a loopback line source: a port on 127.0.0.1 where any program on this machine can
// send text lines (TCP or UDP), read with the same line formats as a serial device.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NetworkConfig, NetworkSourceView } from '../../../shared/contract';
import { LISTEN_PORT_MAX, LISTEN_PORT_MIN, listenPortProblem } from '../../../shared/network-config';
import { getBench } from '../bridge';
import { Field } from '../common/Field';
import { FormFooter } from '../common/FormFooter';
import { useAction } from '../common/useAction';
import { usedSourceNames, useSourcesStore } from '../stores/sourcesStore';
import { PARSERS } from './serialDraft';
import { freeName, sourceNameProblem } from './sourceName';
import { SourceNameField } from './SourceNameField';

export const DEFAULT_PORT = 7421;

const PROTOCOLS: Array<{ value: NetworkConfig['protocol']; label: string; hint: string }> = [
  { value: 'tcp', label: 'TCP', hint: 'programs connect and send lines' },
  { value: 'udp', label: 'UDP', hint: 'each datagram holds one or more lines' },
];

function portProblem(text: string, protocol: string, others: NetworkSourceView[]): string | null {
  const port = text ? Number(text) : NaN;
  const problem = listenPortProblem(port);
  if (problem) return problem;
  const clash = others.find((n) => n.config.port === port && n.config.protocol === protocol);
  return clash ? `"${clash.config.name}" listens on ${protocol.toUpperCase()} ${port} already` : null;
}

export function NetworkForm({
  editing,
  onDone,
}: {
  editing: NetworkSourceView | null;
  onDone: () => void;
}): React.JSX.Element {
  const taken = new Set(useSourcesStore(useShallow((s) => [...usedSourceNames(s, editing?.id)])));
  const others = useSourcesStore(useShallow((s) => s.network.filter((n) => n.id !== editing?.id)));
  const c = editing?.config;
  const [name, setName] = useState(() => c?.name ?? freeName('net', taken));
  const [protocol, setProtocol] = useState<NetworkConfig['protocol']>(c?.protocol ?? 'tcp');
  const [port, setPort] = useState(() => {
    if (c) return String(c.port);
    let p = DEFAULT_PORT;
    while (others.some((n) => n.config.port === p)) p++;
    return String(p);
  });
  const [parser, setParser] = useState<NetworkConfig['parser']>(c?.parser ?? 'auto');
  const nameProblem = sourceNameProblem(name, taken);
  const portBad = portProblem(port, protocol, others);
  const submit = useAction(async () => {
    const config: NetworkConfig = { name, protocol, port: Number(port), parser };
    if (editing) await getBench().invoke('network.update', { id: editing.id, config });
    else await getBench().invoke('network.add', { config });
    onDone();
  });
  return (
    <form
      className="modal-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!nameProblem && !portBad) void submit.run();
      }}
    >
      <div className="modal-body source-form">
        <p className="muted">
          Programs on this computer send text lines to a port here (only this computer can reach it), e.g. a script that
          prints <code>temp:21.5</code>.
        </p>
        <fieldset className="settings-section">
          <legend className="field-legend">Protocol</legend>
          <div className="radio-group radio-group-2">
            {PROTOCOLS.map((p) => (
              <label key={p.value} className="radio-card">
                <input
                  type="radio"
                  name="network-protocol"
                  value={p.value}
                  checked={protocol === p.value}
                  onChange={() => setProtocol(p.value)}
                  data-testid={`network-protocol-${p.value}`}
                />
                <span>
                  <strong>{p.label}</strong>
                  <small>{p.hint}</small>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field-row">
          <Field label="Port" problem={portBad} problemTestId="network-port-problem">
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="number"
                min={LISTEN_PORT_MIN}
                max={LISTEN_PORT_MAX}
                step={1}
                value={port}
                onChange={(e) => setPort(e.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                data-testid="network-port"
              />
            )}
          </Field>
          <Field label="Line format">
            {({ id }) => (
              <select
                id={id}
                value={parser}
                onChange={(e) => setParser(e.target.value as NetworkConfig['parser'])}
                data-testid="network-parser"
              >
                {PARSERS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <SourceNameField
          label="Name"
          value={name}
          onChange={setName}
          problem={nameProblem}
          hint={`It prefixes the metrics: a field "temp" becomes ${name || '<name>'}.temp`}
          testId="network-name"
          problemTestId="network-name-problem"
        />
      </div>
      <FormFooter
        error={submit.error}
        errorTestId="network-form-error"
        busy={submit.busy}
        editing={Boolean(editing)}
        addLabel="Start listening"
        addTestId="network-add"
        saveTestId="network-save"
        onCancel={onDone}
      />
    </form>
  );
}
