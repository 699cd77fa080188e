// Opening the loopback port: resolves with the listening server / socket, or with the error that
// refused it (never rejects), so the source can say why in its status.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { HOST } from './network-support';

type Listened<T> = { ok: T; error?: never } | { ok?: never; error: Error & { code?: string } };

/** Receive buffer asked for: bursts from a fast script must not overflow the (small) default. */
const UDP_RECV_BUFFER = 4 * 1024 * 1024;

export function listenTcp(port: number, onError: (e: Error) => void): Promise<Listened<Server>> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => {
      server.close();
      resolve({ error });
    });
    // `exclusive`: never share the port with another process through the cluster module.
    server.listen({ host: HOST, port, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', onError);
      resolve({ ok: server });
    });
  });
}

export function listenUdp(port: number, onError: (e: Error) => void): Promise<Listened<UdpSocket>> {
  return new Promise((resolve) => {
    const udp = createSocket({ type: 'udp4', reuseAddr: false });
    udp.once('error', (error) => {
      udp.close();
      resolve({ error });
    });
    udp.bind({ address: HOST, port, exclusive: true }, () => {
      udp.removeAllListeners('error');
      udp.on('error', onError);
      try {
        udp.setRecvBufferSize(UDP_RECV_BUFFER);
      } catch {
        // the OS keeps its own limit; datagrams may then be dropped under heavy bursts
      }
      resolve({ ok: udp });
    });
  });
}
