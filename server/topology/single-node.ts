import { ServiceError } from '../errors';
import { describeRoom } from '../domain/room-description';
import type { RoomRegistry } from '../domain/rooms';
import type { LocalHandler, Topology } from './topology';

/** One node: every call, room and session is here; nothing is relayed, adopted or recorded elsewhere. */
export class SingleNodeTopology implements Topology {
  readonly kind = 'single-node';
  private local: LocalHandler = async () => {
    throw new ServiceError('internal', 'signaling has not started');
  };

  readonly connected = true;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly nodeId: string,
  ) {}

  isLive(node: string): boolean {
    return node === this.nodeId;
  }

  dispatch: Topology['dispatch'] = (link, request) => this.local(link, request);

  serveLocally(handler: LocalHandler): void {
    this.local = handler;
  }

  async adoptable(): Promise<undefined> {
    return undefined;
  }

  sessionOpened(): void {}
  connectionChanged(): void {}
  clientGone(): void {}

  heldElsewhere(): boolean {
    return false;
  }

  async describeRoom(...[tenantKey, roomId, kind]: Parameters<Topology['describeRoom']>): ReturnType<Topology['describeRoom']> {
    const room = this.rooms.get(tenantKey, roomId, kind);
    return room && describeRoom(room);
  }
}
