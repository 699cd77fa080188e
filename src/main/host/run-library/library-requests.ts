// The window's requests about runs as recordings: start one with its details and its sources,
// change its details afterwards, delete it, open it for review and plot it at any zoom.

import type { RequestHandlers, RunView } from '../../../shared/contract';
import { sourceKeys, type SourceLists } from '../../../shared/source-keys';
import type { Plexus } from '../../plexus';
import { ContractError } from '../contract-error';
import type { RecordingSink } from '../recording-sink';
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
    const r = library.viewOf(runId);
    if (!r) throw new NotFoundError(`no run with id ${runId}`);
    return r;
  };
  const exists = (runId: string): void => {
    if (!client.run(runId)) throw new NotFoundError(`no run with id ${runId}`);
  };
  return {
    'run.start': ({ name, operator, description, fields, sources }) => {
      if (client.currentRun()) throw new ContractError('a run is already recording; stop it first', 'failed');
      const lists = ctx.sources();
      const keys = sourceKeys(lists);
      const names = sourceNames(lists);
      let onlyPrefixes: string[] = [];
      let recorded: string[] = [];
      if (sources !== undefined) {
        if (sources.length === 0) throw new ContractError('choose at least one source to record', 'bad-request');
        const gone = sources.filter((k) => !names.has(k));
        if (gone.length > 0)
          throw new ContractError(
            `${gone.length === 1 ? 'a chosen source is' : `${gone.length} chosen sources are`} no longer set up (removed meanwhile?); choose the sources again`,
            'bad-request',
          );
        // A serial device writing bare field names (no prefix) cannot be told apart from others.
        const bare = sources.filter((k) => !keys.has(k));
        if (bare.length > 0)
          throw new ContractError(
            `${bare.map((k) => names.get(k)).join(', ')} writes metrics without a prefix, so a run cannot choose it apart from the others; give it a metric prefix, or record all sources`,
            'bad-request',
          );
        onlyPrefixes = sources.map((k) => keys.get(k)!.prefix);
        recorded = sources.map((k) => names.get(k)!);
      }
      const r = client.startRun(name, { ...(fields ? { tags: fields } : {}), onlyPrefixes });
      library.started(r, { operator, description, fields }, recorded);
      ctx.started(r.name);
      ctx.stateChanged();
      return runOf(r.id);
    },
    'run.update': ({ runId, name, operator, description, fields }) => {
      exists(runId);
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
      exists(runId);
      let out: { bytes: number };
      try {
        out = library.delete(runId);
      } catch (e) {
        throw new ContractError((e as Error).message, 'failed');
      }
      ctx.stateChanged();
      return { runId, bytes: out.bytes };
    },
    'run.open': ({ runId }) => library.open(runId, runOf(runId)),
    'run.series': ({ runId, metrics, from, to, columns }) => {
      exists(runId);
      return library.series(runId, metrics, from, to, columns);
    },
  };
}
