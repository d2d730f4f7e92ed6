import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  event: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Whether the signature verified with the independent `standardwebhooks` implementation. */
  verified: boolean;
  /** What the endpoint answered: 204, 401 (bad signature) or 500 (`failWhen`). */
  status: number;
}

/**
 * A site's webhook endpoint on a fixed port, which can be down (nothing listening: connection refused) and
 * brought up later. Every request is checked with the `standardwebhooks` package — not our signing code.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Answer 500 to a verified request when this says so (an endpoint that fails now and then). */
  failWhen: (() => boolean) | undefined;
  private server: Server | undefined;
  private constructor(
    readonly port: number,
    private readonly secret: string,
  ) {}

  static async reservePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    return port;
  }

  static async create(secret: string, port?: number): Promise<WebhookReceiver> {
    return new WebhookReceiver(port ?? (await WebhookReceiver.reservePort()), secret);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async up(): Promise<void> {
    const verifier = new Webhook(this.secret);
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        let verified: boolean;
        try {
          verifier.verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
        const status = !verified ? 401 : this.failWhen?.() ? 500 : 204;
        this.received.push({ id: String(req.headers['webhook-id']), headers: req.headers, body, event: JSON.parse(body), verified, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(this.port, '127.0.0.1', r));
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise((r) => s.close(r));
  }
}
