// Remote commands: ack before the handler, then exactly one result or error.
import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway';
import { clientFor, closeClients, sleep, until, waitForStatus } from '../helpers/plexus';
import { cleanupTempDirs } from '../helpers/tmp';
import type { CommandRecord } from '../../src/main/plexus';

let gw: TestGateway;
afterEach(async () => {
  await closeClients();
  await gw?.close();
  cleanupTempDirs();
});

const resultsFor = (id: string) => gw.commandResults.filter((r) => r.msg.id === id).map((r) => r.msg);

describe('commands', () => {
  it('advertises handlers, acks before running, then sends the result', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    const order: string[] = [];
    c.onCommand(
      'start_camera',
      (params) => {
        order.push(`handler saw ${gw.commandResults.length} replies`);
        return { ok: true, camera: params.camera_id };
      },
      { description: 'start a camera', params: [{ name: 'camera_id', type: 'string' }] },
    );
    await waitForStatus(c, 'connected');
    expect(gw.auths[0]!.msg.commands).toEqual([
      { name: 'start_camera', description: 'start a camera', params: [{ name: 'camera_id', type: 'string' }] },
    ]);
    const id = gw.sendCommand('rig-01', { command: 'start_camera', params: { camera_id: 'front', frame_rate: 15 } });
    expect(id).toHaveLength(36);
    await until(() => resultsFor(id).length === 2, 3000, 'ack and result');
    await sleep(100);
    const msgs = resultsFor(id);
    expect(msgs).toEqual([
      { type: 'command_result', id, command: 'start_camera', event: 'ack' },
      { type: 'command_result', id, command: 'start_camera', event: 'result', result: { ok: true, camera: 'front' } },
    ]);
    // The ack had been sent (and so was ahead in the socket) before the handler ran.
    expect(order).toEqual(['handler saw 0 replies']);
  });

  it('async handlers, thrown errors, unknown commands and timeouts each get exactly one answer', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    const records: CommandRecord[] = [];
    c.on('command', (r) => records.push(r));
    c.onCommand('slow', async (p) => {
      await sleep(150);
      return { waited: p.ms };
    });
    c.onCommand('broken', () => {
      throw new Error('camera busy');
    });
    c.onCommand('hang', () => new Promise(() => {}), { timeoutMs: 200 });
    await waitForStatus(c, 'connected');
    const slow = gw.sendCommand('rig-01', { command: 'slow', params: { ms: 150 } });
    const broken = gw.sendCommand('rig-01', { command: 'broken' });
    const reboot = gw.sendCommand('rig-01', { command: 'reboot', params: { delay_s: 5 } });
    const hang = gw.sendCommand('rig-01', { command: 'hang' });
    await until(() => resultsFor(hang).length === 2, 3000, 'the timeout answer');
    await until(() => resultsFor(slow).length >= 2 && resultsFor(broken).length >= 2, 5000, 'the other answers');
    await sleep(200); // time for any answer too many
    expect(resultsFor(slow).map((m) => m.event)).toEqual(['ack', 'result']);
    expect(resultsFor(slow)[1]!.result).toEqual({ waited: 150 });
    expect(resultsFor(broken)).toEqual([
      { type: 'command_result', id: broken, command: 'broken', event: 'ack' },
      { type: 'command_result', id: broken, command: 'broken', event: 'error', error: 'camera busy' },
    ]);
    expect(resultsFor(reboot)).toEqual([
      { type: 'command_result', id: reboot, command: 'reboot', event: 'error', error: 'unknown command: reboot' },
    ]);
    expect(resultsFor(hang)[1]).toMatchObject({ event: 'error', error: 'timed out after 200 ms' });
    const states = records.filter((r) => r.id === slow).map((r) => r.state);
    expect(states).toEqual(['received', 'acked', 'result']);
    // The same command id delivered twice runs once.
    gw.sendRaw('rig-01', JSON.stringify({ type: 'typed_command', id: slow, command: 'slow', params: {} }));
    await sleep(300);
    expect(resultsFor(slow)).toHaveLength(2);
  });

  it('handlers registered after connect are advertised on the next connect', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    await waitForStatus(c, 'connected');
    expect(gw.auths[0]!.msg.commands).toEqual([]);
    c.onCommand('stop_stream', () => 'stopped');
    gw.evict('rig-01');
    await until(() => gw.auths.length === 2, 5000, 'a reconnect');
    expect(gw.auths[1]!.msg.commands).toEqual([{ name: 'stop_stream' }]);
    await waitForStatus(c, 'connected');
    const id = gw.sendCommand('rig-01', { command: 'stop_stream' });
    await until(() => resultsFor(id).length === 2, 3000, 'result');
    expect(resultsFor(id)[1]!.result).toBe('stopped');
  });

  it('a fallback handler can claim commands no named handler knows', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    c.setCommandFallback(async (params, ctx) => ({ approved: true, command: ctx.command, params }));
    await waitForStatus(c, 'connected');
    const id = gw.sendCommand('rig-01', { command: 'mavlink_command', params: { cmd: 400 } });
    await until(() => resultsFor(id).length === 2, 3000, 'result');
    expect(resultsFor(id)[1]!.result).toEqual({ approved: true, command: 'mavlink_command', params: { cmd: 400 } });
  });

  it('ignores malformed commands without crashing', async () => {
    gw = await TestGateway.start();
    const c = clientFor(gw);
    c.onCommand('ok', () => 1);
    await waitForStatus(c, 'connected');
    gw.sendRaw('rig-01', '{"type":"typed_command"}');
    gw.sendRaw('rig-01', '{"type":"typed_command","id":5,"command":"ok"}');
    gw.sendRaw('rig-01', 'not json');
    const id = gw.sendCommand('rig-01', { command: 'ok', params: [1, 2] as unknown as Record<string, unknown> });
    await until(() => resultsFor(id).length === 2, 3000, 'result');
    expect(gw.commandResults).toHaveLength(2);
    expect(c.status().status).toBe('connected');
  });
});
