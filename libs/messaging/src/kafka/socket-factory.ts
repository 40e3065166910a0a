import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/**
 * kafkajs' default socket factory with Nagle's algorithm turned off. kafkajs pipelines several small
 * requests on one connection (produce requests of concurrent handlers, offset commits, heartbeats);
 * with Nagle on, a request written while an earlier one is unacknowledged waits for the broker's
 * delayed ACK, which shows up as 40 ms steps in the latency tail. Kafka's own clients and the
 * broker set TCP_NODELAY for the same reason.
 */
export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  return socket;
};
