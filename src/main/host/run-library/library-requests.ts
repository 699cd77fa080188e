// The window's requests about runs as recordings: start one with its details and its sources,
// change its details afterwards, delete it, open it for review and plot it at any zoom.

import type { RequestHandlers, RunView } from '../../../shared/contract';
import { sourceKeys, type SourceLists } from '../../../shared/source-keys';
import type { Plexus } from '../../plexus';
import { ContractError } from '../contract-error';
import type { RecordingSink } from '../recording-sink';
import { toRunView } from '../run-requests';
import { NotFoundError } from '../sources';
import type { RunLibrary } from './run-library';

type LibraryRequest = 'run.start' | 'run.update' | 'run.delete' | 'run.open' | 'run.series';

export interface LibraryRequestContext {
  client: Plexus;
  library: RunLibrary;
  sink: RecordingSink;
  /** The configured sources (which a run may record a subset of). */
  sources(): SourceLists;
  /** A run started under this name (saved as the next suggestion). */
  started(name: string): void;
  stateChanged(): void;
}

/** A source's name as the technician knows it, by its key. */
function sourceNames(s: SourceLists): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of s.plugins) out.set(`plugin:${p.id}`, p.name);
  for (const n of s.network) out.set(`network:${n.id}`, n.config.name);
  for (const d of s.serial) out.set(`serial:${d.id}`, d.config.name);
  for (const c of s.cameras) out.set(`camera:${c.id}`, c.config.name || c.config.cameraId);
  return out;
}

export function libraryRequests(ctx: LibraryRequestContext): Pick<RequestHandlers, LibraryRequest> {
  const { client, library } = ctx;
  const runOf = (runId: string): RunView => {
    const r = client.runs(100_000).find((x) => x.id === runId);
    if (!r) throw new NotFoundError(`no run with id ${runId}`);
    return library.decorate([toRunView(r)])[0]!;
  };
  return {
    'run.start': ({ name, operator, description, fields, sources }) => {
      if (client.currentRun()) throw new ContractError('a run is already recording; stop it first', 'failed');
      const lists = ctx.sources();
      const keys = sourceKeys(lists);
      const names = sourceNames(lists);
      let excludePrefixes: string[] = [];
      let recorded: string[] = [];
      if (sources !== undefined) {
        const unknown = sources.filter((k) => !names.has(k));
        if (unknown.length > 0)
          throw new ContractError(
            `no source ${unknown.join(', ')}: it may have been removed; choose again`,
            'bad-request',
          );
        if (sources.length === 0) throw new ContractError('choose at least one source to record', 'bad-request');
        const chosen = new Set(sources);
        excludePrefixes = [...keys].filter(([k]) => !chosen.has(k)).map(([, v]) => v.prefix);
        recorded = sources.map((k) => names.get(k)!);
      }
      const r = client.startRun(name, { ...(fields ? { tags: fields } : {}), excludePrefixes });
      library.started(r, { operator, description, fields }, recorded);
      ctx.started(r.name);
      ctx.stateChanged();
      return library.decorate([toRunView(r)])[0]!;
    },
    'run.update': ({ runId, name, operator, description, fields }) => {
      runOf(runId);
      const meta = library.update(runId, { name, operator, description, fields });
      if (fields !== undefined && client.currentRun()?.id === runId) client.setRunTags(fields);
      // The platform learns the new details too: an event that names the run in its value (its
      // tags would name the run recording now, if another one is).
      ctx.sink.event('run.details', {
        run_id: runId,
        ...(name !== undefined ? { name } : {}),
        operator: meta.operator,
        description: meta.description.slice(0, 1000),
        fields: meta.fields,
      });
      ctx.stateChanged();
      return runOf(runId);
    },
    'run.delete': ({ runId }) => {
      runOf(runId);
      if (client.currentRun()?.id === runId)
        throw new ContractError('the run is still recording; stop it before deleting it', 'failed');
      const out = library.delete(runId);
      ctx.stateChanged();
      return { runId, bytes: out.bytes };
    },
    'run.open': ({ runId }) => {
      const r = runOf(runId);
      return library.open(runId, r);
    },
    'run.series': ({ runId, metrics, from, to, columns }) => {
      runOf(runId);
      return library.series(runId, metrics, from, to, columns);
    },
  };
}
