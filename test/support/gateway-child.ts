// Child-process entry of GatewayProcess (gateway-process.ts): runs a TestGateway in its own Node
// process so a benchmark's client does not share an event loop with it. Started as
// `node --import tsx gateway-child.ts` with an IPC channel ('advanced' serialization, so typed
// arrays and Buffers cross as they are). Exits when the parent goes away.

import { TestGateway, type GatewayOptions } from './gateway';
import type { ChildReply, ChildRequest, GatewayStats } from './gateway-process';

let gw: TestGateway | null = null;

function need(): TestGateway {
  if (!gw) throw new Error('gateway not started');
  return gw;
}

function stats(g: TestGateway): GatewayStats {
  return {
    counters: structuredClone(g.counters),
    points: g.points.length,
    receipts: g.receipts?.length ?? 0,
    messages: g.messages.length,
    videoFrames: g.videoFrames.length,
    heartbeats: g.heartbeats.length,
    commandResults: g.commandResults.length,
    deviceErrors: g.deviceErrors.length,
    auths: g.auths.length,
    httpRequests: g.httpRequests.length,
    connections: g.connections.map((c) => ({ ...c })),
    connectedSources: g.connectedSources(),
    internalErrors: g.internalErrors.length,
  };
}

const LISTS = [
  'points',
  'messages',
  'videoFrames',
  'heartbeats',
  'commandResults',
  'deviceErrors',
  'auths',
  'httpRequests',
  'connections',
] as const;

async function handle(req: ChildRequest): Promise<unknown> {
  const a = req.args;
  switch (req.op) {
    case 'start':
      if (gw) throw new Error('already started');
      gw = await TestGateway.start(a[0] as GatewayOptions);
      return { port: gw.port };
    case 'down':
      return need().down();
    case 'up':
      return need().up();
    case 'close':
      await need().close();
      setImmediate(() => process.exit(0));
      return null;
    case 'setClockSkew':
      return need().setClockSkew(a[0] as number);
    case 'setLatency':
      return need().setLatency(a[0] as number);
    case 'forceHttpStatus':
      return need().forceHttpStatus(a[0] as number | null, a[1]);
    case 'setRedisDown':
      return need().setRedisDown(a[0] as boolean);
    case 'sendCommand':
      return need().sendCommand(a[0] as string, a[1] as { command: string });
    case 'sendRaw':
      return need().sendRaw(a[0] as string, a[1] as string);
    case 'evict':
      return need().evict(a[0] as string);
    case 'cut':
      return need().cut(a[0] as string);
    case 'freeze':
      return need().freeze(a[0] as string);
    case 'thaw':
      return need().thaw(a[0] as string | undefined);
    case 'setApiKeys':
      return need().setApiKeys(a[0] as Parameters<TestGateway['setApiKeys']>[0]);
    case 'now':
      return need().now();
    case 'stats':
      return stats(need());
    case 'list': {
      const name = a[0] as (typeof LISTS)[number];
      if (!LISTS.includes(name)) throw new Error(`unknown list ${String(name)}`);
      const from = a[1] as number;
      const max = (a[2] as number | undefined) ?? Infinity;
      const list = need()[name] as unknown[];
      return list.slice(from, Math.min(list.length, from + max));
    }
    case 'receipts': {
      const log = need().receipts;
      if (!log) throw new Error('receipts are disabled (receipts: false)');
      const from = a[0] as number;
      const max = (a[1] as number | undefined) ?? 1_000_000;
      return log.slice(from, from + max);
    }
    default:
      throw new Error(`unknown op ${String(req.op)}`);
  }
}

// The parent died or closed the channel: a gateway nobody controls must not linger.
process.on('disconnect', () => process.exit(0));

process.on('message', (req: ChildRequest) => {
  handle(req).then(
    (result) => reply({ id: req.id, ok: true, result }),
    (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});

function reply(r: ChildReply): void {
  if (process.connected) process.send?.(r);
}

reply({ id: 0, ok: true, result: 'ready' });
