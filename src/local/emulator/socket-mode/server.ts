/**
 * Socket Mode as Slack runs it, on the emulator's own HTTP port: `apps.connections.open` hands out
 * a one-use link (`ws://127.0.0.1:<port>/link/?ticket=…&app_id=…`, Slack's `wss://…/link/?ticket=`
 * shape without TLS on loopback), the WebSocket says `hello`, then carries envelopes. An envelope
 * not acknowledged within the ack timeout (Slack: 3 s) is sent again, up to three times, with
 * `retry_attempt`/`retry_reason`; one in flight on a connection that closes is sent again on the next
 * one. `requestRefresh()` sends Slack's `disconnect` (`refresh_requested`); envelopes created while
 * no connection is open wait for the next `hello`, so a reconnect loses none.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DeliveryResult } from '../delivery.js';
import type { Json } from '../workspace.js';
import {
  ackResult,
  disconnectMessage,
  type Envelope,
  type EnvelopeType,
  helloMessage,
  MAX_REDELIVERIES,
  newEnvelope,
  parseAck,
} from './envelopes.js';

export const LINK_PATH = '/link/';
/** How long a link from apps.connections.open may wait to be used. */
const TICKET_TTL_MS = 60_000;
/** A client that got `disconnect` and has not closed by then is closed by the server. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface SocketModeServerOptions {
  appId: string;
  /** The emulator's http://host:port, known once it listens. */
  baseUrl: () => string;
  ackTimeoutMs: number;
  /** Server pings keep the client's serverPingTimeout satisfied, as Slack's do. */
  pingIntervalMs?: number;
  logger?: Logger;
}

interface Connection {
  id: number;
  ws: WebSocket;
  /** Sent `disconnect`: nothing new goes to it. */
  draining: boolean;
  ping?: NodeJS.Timeout;
}

interface InFlight {
  envelope: Envelope;
  /** Redeliveries so far. */
  attempts: number;
  reason: string;
  connection?: Connection;
  redelivery?: NodeJS.Timeout;
  /** The person-facing answer: the first ack, or operation_timeout when none came in time. */
  settle: (result: DeliveryResult) => void;
  deadline: NodeJS.Timeout;
}

/** One frame on the wire, for tests: what was sent to the app and what it answered. */
export interface SocketFrame {
  at: number;
  direction: 'to_app' | 'from_app';
  connection: number;
  data: Json;
  /** An ack the emulator ignored on purpose (dropAcks), as if lost on the way. */
  dropped?: boolean;
}

export class SocketModeServer {
  readonly frames: SocketFrame[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly connections = new Set<Connection>();
  private readonly inFlight = new Map<string, InFlight>();
  private connectionSeq = 0;
  private readonly acksToDrop: { times: number; matches: (envelope: Envelope) => boolean }[] = [];
  private closed = false;

  constructor(private readonly options: SocketModeServerOptions) {}

  /** apps.connections.open: a fresh one-use link. */
  openLink(): string {
    const ticket = randomUUID();
    const now = Date.now();
    this.tickets.set(ticket, now);
    for (const [key, issuedAt] of this.tickets) if (now - issuedAt > TICKET_TTL_MS) this.tickets.delete(key);
    const base = this.options.baseUrl().replace(/^http/, 'ws');
    return `${base}${LINK_PATH}?ticket=${ticket}&app_id=${this.options.appId}`;
  }

  /** The HTTP server's `upgrade` event: accepts a valid, unused ticket on the link path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    const issuedAt = this.tickets.get(ticket);
    if (url.pathname !== LINK_PATH || issuedAt === undefined || Date.now() - issuedAt > TICKET_TTL_MS) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.tickets.delete(ticket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Open connections that still take envelopes. */
  get liveConnections(): number {
    return [...this.connections].filter((c) => !c.draining).length;
  }

  /** Envelopes sent or waiting that the app has not acknowledged yet. */
  get unacknowledged(): number {
    return this.inFlight.size;
  }

  /** Envelopes sent to the app, in order (redeliveries included). */
  envelopesSent(): Envelope[] {
    return this.frames
      .filter((f) => f.direction === 'to_app' && typeof f.data.envelope_id === 'string')
      .map((f) => f.data as unknown as Envelope);
  }

  /** Delivers a payload in an envelope; resolves with the ack's answer (or operation_timeout). */
  deliver(
    type: EnvelopeType,
    payload: Json,
    options: { retryAttempt?: number } = {},
  ): Promise<DeliveryResult> {
    if (this.closed) return Promise.resolve({ status: 0, body: '', error: 'dispatch_failed' });
    const envelope = newEnvelope(type, payload);
    return new Promise((resolve) => {
      let settled = false;
      const flight: InFlight = {
        envelope,
        attempts: options.retryAttempt ?? 0,
        reason: options.retryAttempt ? 'timeout' : '',
        settle: (result) => {
          if (settled) return;
          settled = true;
          clearTimeout(flight.deadline);
          resolve(result);
        },
        deadline: setTimeout(
          () => flight.settle({ status: 0, body: '', error: 'operation_timeout' }),
          this.options.ackTimeoutMs,
        ),
      };
      this.inFlight.set(envelope.envelope_id, flight);
      this.send(flight);
    });
  }

  /** Slack's `disconnect` (refresh_requested) on every open connection: clients reconnect. */
  requestRefresh(reason: 'refresh_requested' | 'warning' | 'link_disabled' = 'refresh_requested'): void {
    for (const connection of this.connections) {
      if (connection.draining) continue;
      connection.draining = true;
      this.write(connection, disconnectMessage(reason));
      setTimeout(() => connection.ws.terminate(), DRAIN_TIMEOUT_MS).unref();
    }
  }

  /**
   * Fault for tests: ignore the app's next `times` acks of envelopes that match (default: any), as
   * if lost on the way, so those envelopes come again.
   */
  dropAcks(times = 1, matches: (envelope: Envelope) => boolean = () => true): void {
    this.acksToDrop.push({ times, matches });
  }

  /** Resolves once `count` connections take envelopes (a client connected or reconnected). */
  async waitForConnections(count = 1, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.liveConnections < count) {
      if (Date.now() > until)
        throw new Error(`Socket Mode: no ${count} live connection(s) within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.closed = true;
    for (const flight of this.inFlight.values()) {
      clearTimeout(flight.redelivery);
      flight.settle({ status: 0, body: '', error: 'dispatch_failed' });
    }
    this.inFlight.clear();
    for (const connection of this.connections) {
      clearInterval(connection.ping);
      connection.ws.terminate();
    }
    this.connections.clear();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    const connection: Connection = { id: ++this.connectionSeq, ws, draining: false };
    this.connections.add(connection);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(connection, data.toString());
    });
    ws.on('close', () => this.onClose(connection));
    ws.on('error', (error) => this.options.logger?.warn({ err: error }, 'Socket Mode connection error'));
    const interval = this.options.pingIntervalMs ?? 10_000;
    connection.ping = setInterval(() => ws.ping(), interval);
    connection.ping.unref();
    this.write(connection, helloMessage(this.options.appId, this.liveConnections));
    // what waited for a connection goes out now, oldest first
    for (const flight of this.inFlight.values()) if (!flight.connection) this.send(flight);
  }

  private onMessage(connection: Connection, text: string): void {
    const ack = parseAck(text);
    let data: Json;
    try {
      data = JSON.parse(text) as Json;
    } catch {
      data = { unparsable: text };
    }
    const flight = ack ? this.inFlight.get(ack.envelope_id) : undefined;
    const drop = flight ? this.acksToDrop.find((d) => d.times > 0 && d.matches(flight.envelope)) : undefined;
    const dropped = drop !== undefined;
    this.frames.push({
      at: Date.now(),
      direction: 'from_app',
      connection: connection.id,
      data,
      ...(dropped ? { dropped } : {}),
    });
    if (drop) drop.times--;
    // no flight: a late ack for an envelope already acknowledged or given up on
    if (!ack || !flight || dropped) return;
    clearTimeout(flight.redelivery);
    this.inFlight.delete(ack.envelope_id);
    flight.settle(ackResult(ack));
  }

  private onClose(connection: Connection): void {
    clearInterval(connection.ping);
    this.connections.delete(connection);
    for (const flight of this.inFlight.values()) {
      if (flight.connection !== connection) continue;
      clearTimeout(flight.redelivery);
      this.redeliver(flight, 'connection_closed');
    }
  }

  private send(flight: InFlight): void {
    const connection = [...this.connections].reverse().find((c) => !c.draining);
    flight.connection = connection;
    if (!connection) return; // waits for the next hello
    this.write(connection, {
      ...flight.envelope,
      retry_attempt: flight.attempts,
      retry_reason: flight.reason,
    } as unknown as Json);
    flight.redelivery = setTimeout(() => this.redeliver(flight, 'timeout'), this.options.ackTimeoutMs);
  }

  private redeliver(flight: InFlight, reason: string): void {
    if (this.closed) return;
    if (flight.attempts >= MAX_REDELIVERIES) {
      this.inFlight.delete(flight.envelope.envelope_id);
      this.options.logger?.warn(
        { envelope: flight.envelope.envelope_id, type: flight.envelope.type },
        'Socket Mode envelope never acknowledged; Slack gives up after three redeliveries',
      );
      flight.settle({ status: 0, body: '', error: 'operation_timeout' });
      return;
    }
    flight.attempts++;
    flight.reason = reason;
    flight.connection = undefined;
    this.send(flight);
  }

  private write(connection: Connection, data: Json): void {
    this.frames.push({ at: Date.now(), direction: 'to_app', connection: connection.id, data });
    connection.ws.send(JSON.stringify(data));
  }
}
