// Cascading over signaling, no browser: three real nodes on one real redis-server, a live room on node 1.
// A viewer connected to node 2 is served by node 2 (its transport's ICE candidates are node 2's media port);
// what the home does to the host's producers reaches it through the pipe and the bus; a node serving viewers
// that goes away resets the room's media; a home that goes away takes its part on the edges with it.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { useCluster } from '../support/cluster';
import { connectAs, type TestSocket } from '../support/ws-client';
import { until } from '../support/until';

type Msg = Record<string, unknown>;
const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: `${'AB:'.repeat(31)}AB` }] };
let ssrc = 5000;
const audioRtp = (mid: string) => ({ mid, codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc: ++ssrc }], headerExtensions: [], rtcp: { cname: 'c' } });
const videoRtp = (mid: string) => ({ mid, codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {} }], encodings: [{ ssrc: ++ssrc }], headerExtensions: [], rtcp: { cname: 'c' } });
const dataOf = <T>(m: Msg) => {
  assert.equal(m.type, 'response', JSON.stringify(m));
  return m.data as T;
};

describe('cascading: a live room served by three nodes', () => {
  const sockets: TestSocket[] = [];
  const apps = [newApp('Cascade', { demo: true, origins: ['*'] })];
  const ids = ['h1', 'h2', 'h3'];
  const { nodes } = useCluster(ids, { apps, workers: 2, peersPerRouter: 1, reconnectGraceMs: 0 });
  after(() => {
    for (const s of sockets) s.close();
  });
  const tenantKey = () => nodes[0]!.app.services.apps.tenant(apps[0]!.environments.development!.appKey)!.key;
  const served = (i: number) => nodes[i]!.app.services.cascade!.served();
  async function on(i: number, userId: string, host = false): Promise<TestSocket> {
    const s = await connectAs(nodes[i]!.url, await nodes[i]!.token(userId, host ? { grants: { roomAdmin: true } } : {}));
    sockets.push(s);
    return s;
  }
  /** The host's socket on node 1 in live room `roomId`, publishing a mic and a camera. */
  async function hostOn(roomId: string) {
    const s = await on(0, `host-${roomId}`, true);
    dataOf(await s.request('room.join', { roomId, kind: 'live', video: true }));
    const send = dataOf<{ id: string }>(await s.request('media.createTransport', { direction: 'send' }));
    await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const mic = dataOf<{ producerId: string }>(await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp('0'), source: 'mic' }));
    const camera = dataOf<{ producerId: string }>(await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('1'), source: 'camera' }));
    return { s, mic: mic.producerId, camera: camera.producerId };
  }
  /** A viewer on node `i` in `roomId`, with a recv transport and its media port. */
  async function viewerOn(i: number, userId: string, roomId: string) {
    const s = await on(i, userId);
    const joined = dataOf<{ routerRtpCapabilities: unknown }>(await s.request('room.join', { roomId, kind: 'live' }));
    dataOf(await s.request('media.setRtpCapabilities', { rtpCapabilities: joined.routerRtpCapabilities }));
    const recv = dataOf<{ id: string; iceCandidates: { port: number }[] }>(await s.request('media.createTransport', { direction: 'recv' }));
    return { s, port: recv.iceCandidates[0]!.port };
  }
  const mediaPorts = (i: number) => nodes[i]!.status().workers.map((w) => w.rtcPort);
  /**
   * Rooms are placed by load (ties: the joining node): each test leaves nothing behind and waits until every
   * node has published that, so its host's room opens on node 1.
   */
  async function settle(): Promise<void> {
    for (const s of sockets.splice(0)) s.close();
    await until('every room to end', () => (nodes.every((n) => n.app.services.rooms.size === 0) ? true : undefined), 5000);
    await until('every node to have published that', () => (nodes.every((n) => n.app.cluster?.link.liveness.nodes.every((x) => x.load === 0)) ? true : undefined), 5000);
  }
  const homeOf = (roomId: string) => {
    const room = nodes[0]!.app.services.rooms.get(tenantKey(), roomId, 'live');
    assert.ok(room, `${roomId} lives on node 1`);
    return room;
  };

  test('a viewer on node 2 is served by node 2; the host\'s pause and close reach its consumer', async () => {
    const host = await hostOn('air');
    const near = await viewerOn(0, 'near', 'air');
    const far = await viewerOn(1, 'far', 'air');
    assert.ok(mediaPorts(0).includes(near.port), 'a node-1 viewer is served by node 1');
    assert.ok(mediaPorts(1).includes(far.port), 'a node-2 viewer\'s transport is on node 2');
    assert.ok(!mediaPorts(0).includes(far.port));
    const consumer = dataOf<{ id: string; producerId: string; userId: string; source: string; producerPaused: boolean }>(await far.s.request('media.consume', { producerId: host.camera }));
    assert.deepEqual([consumer.producerId, consumer.userId, consumer.source], [host.camera, 'host-air', 'camera']);
    dataOf(await far.s.request('media.resumeConsumer', { consumerId: consumer.id }));
    const nearConsumer = dataOf<{ id: string }>(await near.s.request('media.consume', { producerId: host.camera }));
    assert.ok(nearConsumer.id);
    const room = homeOf('air');
    assert.deepEqual(room.media.peer('far').consumerStates(), [{ producerUserId: 'host-air', source: 'camera', kind: 'video', paused: false }]);
    assert.equal(new Set((room.media as unknown as { workerPids: number[] }).workerPids).size, 2, 'past one peer per router, the room took node 1\'s second worker');
    assert.deepEqual(await served(1), { rooms: 1, peers: 1 });
    assert.deepEqual(await served(2), { rooms: 0, peers: 0 });

    // Paused on the home: the node-2 consumer hears of it from node 2 (its pipe producer follows).
    dataOf(await host.s.request('media.pauseProducer', { producerId: host.camera }));
    await far.s.next((m) => m.type === 'media.producerState' && m.producerId === host.camera && m.paused === true);
    dataOf(await host.s.request('media.closeProducer', { producerId: host.camera }));
    const closed = await far.s.next((m) => m.type === 'media.consumerClosed');
    assert.deepEqual([closed.consumerId, closed.producerId], [consumer.id, host.camera], 'the edge\'s consumer ended with the producer');
    await near.s.next((m) => m.type === 'media.consumerClosed' && m.consumerId === nearConsumer.id);
    assert.deepEqual(room.media.peer('far').consumerStates(), []);

    dataOf(await far.s.request('room.leave'));
    await until('node 2 to drop the viewer', async () => ((await served(1)).peers === 0 ? true : undefined), 5000);
    await settle();
  });

  test('a node-3 viewer goes on stage: its mic and camera are piped to node 1 and on to node 2', async () => {
    const host = await hostOn('panel');
    const guest = await viewerOn(2, 'guest', 'panel');
    const far = await viewerOn(1, 'far-panel', 'panel');
    dataOf(await host.s.request('room.setRole', { userId: 'guest', role: 'host' }));
    await guest.s.next((m) => m.type === 'room.roleChanged' && m.userId === 'guest');
    const send = dataOf<{ id: string; iceCandidates: { port: number }[] }>(await guest.s.request('media.createTransport', { direction: 'send' }));
    assert.ok(mediaPorts(2).includes(send.iceCandidates[0]!.port), 'the guest publishes to node 3, where its socket is');
    await guest.s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const camera = dataOf<{ producerId: string }>(await guest.s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('0'), source: 'camera' }));
    await far.s.next((m) => m.type === 'media.producerAdded' && (m.producer as Msg).producerId === camera.producerId);
    const fromFar = dataOf<{ id: string; producerId: string; userId: string }>(await far.s.request('media.consume', { producerId: camera.producerId }));
    assert.equal(fromFar.userId, 'guest');
    const hostRecv = dataOf<{ id: string }>(await host.s.request('media.createTransport', { direction: 'recv' }));
    assert.ok(hostRecv.id);
    dataOf(await host.s.request('media.setRtpCapabilities', { rtpCapabilities: homeOf('panel').media.rtpCapabilities }));
    const fromHost = dataOf<{ producerId: string }>(await host.s.request('media.consume', { producerId: camera.producerId }));
    assert.equal(fromHost.producerId, camera.producerId);
    const media = homeOf('panel').media as unknown as { edgeNodes: string[]; pipeSecurity(): Promise<{ node: string; srtp?: string }[]> };
    assert.deepEqual(media.edgeNodes.sort(), ['h2', 'h3']);
    for (const pipe of await media.pipeSecurity()) assert.equal(pipe.srtp, 'AEAD_AES_256_GCM', `pipe to ${pipe.node} is SRTP`);
    // The guest stops its camera on node 3: node 2's consumer of it ends too.
    dataOf(await guest.s.request('media.closeProducer', { producerId: camera.producerId }));
    await far.s.next((m) => m.type === 'media.consumerClosed' && m.consumerId === fromFar.id);
    await settle();
  });

  test('a node serving viewers goes away: the room sets its media up again; the home going away empties the edges', async () => {
    const host = await hostOn('late');
    homeOf('late');
    await viewerOn(2, 'v-late', 'late');
    await viewerOn(1, 'w-late', 'late');
    assert.equal((await served(2)).rooms, 1);
    await nodes[2]!.close();
    await host.s.next((m) => m.type === 'media.reset', 10_000);
    await nodes[0]!.close();
    await until('node 2 to let go of node 1\'s rooms', async () => ((await served(1)).rooms === 0 ? true : undefined), 10_000);
  });
});
