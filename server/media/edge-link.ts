import type { types } from 'mediasoup';
import { pipeEnd, pipeListenInfo, type PipeListen } from './edge-host';
import type { EdgeAddress, EdgeChannel, EdgeRequest, PipeEnd, PipedConsumer, PipedProducerData } from './edge-protocol';

type EdgeOp = EdgeRequest extends infer R ? (R extends EdgeAddress ? Omit<R, keyof EdgeAddress> : never) : never;

/**
 * A room's link, on its home node, to one edge node serving some of its participants: one SRTP pipe
 * transport pair between the room's first router here and the room's router there, carrying the home's
 * producers out (consumed on the pipe here, produced on the edge's) and the edge's producers in. Each
 * direction pipes a producer once; a pipe follows its original's pause and close. `close()` is idempotent.
 */
export class EdgeLink {
  private pipe: Promise<types.PipeTransport> | undefined;
  /** Home producers piped to the edge (by id). */
  private readonly sent = new Map<string, Promise<void>>();
  /** Edge producers piped here, as producers on the home's pipe transport (same ids). */
  private readonly received = new Map<string, Promise<types.Producer>>();
  private closed = false;

  constructor(
    readonly node: string,
    private readonly address: EdgeAddress,
    private readonly router: types.Router,
    private readonly listen: PipeListen,
    private readonly channel: EdgeChannel,
  ) {}

  /** Runs `op` on the edge for this room. */
  request(op: EdgeOp): Promise<unknown> {
    return this.channel.request(this.node, { ...this.address, ...op } as EdgeRequest);
  }

  /** Fire and forget (closing what the edge holds): a failure only means the edge is gone already. */
  private tell(op: EdgeOp): void {
    if (!this.closed) this.request(op).catch(() => undefined);
  }

  private connected(): Promise<types.PipeTransport> {
    if (!this.pipe) {
      this.pipe = (async () => {
        const local = await this.router.createPipeTransport({ listenInfo: pipeListenInfo(this.listen), enableSrtp: true });
        try {
          const remote = (await this.request({ op: 'pipe.connect', ...pipeEnd(local) })) as PipeEnd;
          await local.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters as types.SrtpParameters });
        } catch (error) {
          local.close();
          throw error;
        }
        if (this.closed) local.close();
        return local;
      })();
      this.pipe.catch(() => (this.pipe = undefined));
    }
    return this.pipe;
  }

  /** Makes `producer` (on the home's first router) available on the edge under the same id. */
  send(producer: types.Producer): Promise<void> {
    let sending = this.sent.get(producer.id);
    if (!sending) {
      sending = (async () => {
        const pipe = await this.connected();
        const consumer = await pipe.consume({ producerId: producer.id });
        const data = producer.appData as unknown as PipedProducerData;
        try {
          await this.request({ op: 'pipe.produce', producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused, appData: { userId: data.userId, source: data.source, ...(data.width !== undefined ? { width: data.width } : {}), ...(data.encodings ? { encodings: data.encodings } : {}) } });
        } catch (error) {
          consumer.close();
          throw error;
        }
        consumer.observer.on('pause', () => this.tell({ op: 'pipe.pause', producerId: producer.id, paused: true }));
        consumer.observer.on('resume', () => this.tell({ op: 'pipe.pause', producerId: producer.id, paused: false }));
        consumer.observer.once('close', () => {
          this.sent.delete(producer.id);
          this.tell({ op: 'pipe.close', producerId: producer.id });
        });
        if (consumer.producerPaused !== producer.paused) this.tell({ op: 'pipe.pause', producerId: producer.id, paused: producer.paused });
      })();
      sending.catch(() => this.sent.delete(producer.id));
      this.sent.set(producer.id, sending);
    }
    return sending;
  }

  /** An edge participant's producer as a producer here (on the home's pipe transport, same id). */
  receive(producerId: string, data: PipedProducerData): Promise<types.Producer> {
    let receiving = this.received.get(producerId);
    if (!receiving) {
      receiving = (async () => {
        const pipe = await this.connected();
        const piped = (await this.request({ op: 'pipe.consume', producerId })) as PipedConsumer;
        const producer = await pipe.produce({ id: producerId, kind: piped.kind, rtpParameters: piped.rtpParameters as types.RtpParameters, paused: piped.paused, appData: { ...data } });
        producer.observer.once('close', () => this.received.delete(producerId));
        return producer;
      })();
      receiving.catch(() => this.received.delete(producerId));
      this.received.set(producerId, receiving);
    }
    return receiving;
  }

  /** The edge participant paused, resumed or closed a producer: its copy here (and every copy of that) follows. */
  async receivedChanged(producerId: string, change: 'pause' | 'resume' | 'close'): Promise<void> {
    const producer = await this.received.get(producerId)?.catch(() => undefined);
    if (!producer || producer.closed) return;
    if (change === 'close') producer.close();
    else await (change === 'pause' ? producer.pause() : producer.resume());
  }

  /** The crypto suite the pipe encrypts with (undefined while it is not up). */
  async srtpSuite(): Promise<string | undefined> {
    const pipe = await this.pipe?.catch(() => undefined);
    return pipe?.srtpParameters?.cryptoSuite;
  }

  close(): void {
    if (this.closed) return;
    this.tell({ op: 'close' });
    this.closed = true;
    void this.pipe?.then((p) => p.close(), () => undefined);
    this.sent.clear();
    this.received.clear();
  }
}
