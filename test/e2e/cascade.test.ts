// Cascading in real Chromium: a live room on node 1 of a two-node cluster (one real redis-server), two
// mediasoup workers per node and one peer per router, so the room spreads over every worker of both nodes.
// The host publishes on node 1; a viewer on node 1 receives through pipeToRouter onto the second worker;
// viewers whose sockets are on node 2 are served by node 2 (its ICE candidates), the host's producers piped
// there once over an SRTP pipe transport. Then a node-2 viewer goes on stage: its producers are piped back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApp } from '../../server/store/apps-file';
import { launchBrowser, newContext, openWidget, waitForState, waitForVideoFrom } from '../support/browser';
import { useCluster } from '../support/cluster';
import { until } from '../support/until';

const LIVE = { 'video-resolution': '360p', 'muted-tones': '', room: 'stage', 'room-kind': 'live' };
const app = newApp('Cascade e2e', { demo: true, origins: ['*'] });

describe('a live room cascaded over two nodes and four workers', () => {
  const cluster = useCluster(['c1', 'c2'], { apps: [app], workers: 2, peersPerRouter: 1 });
  const { nodes } = cluster;
  let browser: Browser;
  let ctx: BrowserContext;
  const tenantKey = () => nodes[0]!.app.services.apps.tenant(app.environments.development!.appKey)!.key;
  async function user(i: number, id: string, grants?: { roomAdmin: boolean }): Promise<Page> {
    return openWidget(ctx, nodes[i]!.url, await nodes[i]!.token(id, grants ? { grants } : {}), LIVE);
  }
  /** Worker pids of node `i` that hold at least one router. */
  const busyWorkers = (i: number) => nodes[i]!.app.services.pool.health().filter((w) => w.routers > 0).map((w) => w.pid);

  before(async () => {
    browser = await launchBrowser();
    ctx = await newContext(browser);
  });
  after(async () => {
    await browser?.close();
  });

  test('every viewer decodes the host; a node-2 viewer on stage is decoded on both nodes', async () => {
    const host = await user(0, 'host', { roomAdmin: true });
    await waitForState(host, 'in-call');
    const near = await user(0, 'near');
    const far = [await user(1, 'far1'), await user(1, 'far2')];
    for (const viewer of [near, ...far]) await waitForVideoFrom(viewer, 'host', 10, 20_000);

    const room = nodes[0]!.app.services.rooms.get(tenantKey(), 'stage', 'live')!;
    assert.ok(room, 'the room lives on node 1, where its host opened it');
    assert.equal(nodes[1]!.app.services.rooms.size, 0, 'node 2 holds no room of its own');
    const media = room.media as unknown as { workerPids: number[]; edgeNodes: string[]; pipeSecurity(): Promise<{ node: string; srtp: string | undefined }[]> };
    assert.equal(new Set(media.workerPids).size, 2, 'the room took a router on node 1\'s second worker');
    assert.deepEqual(media.edgeNodes, ['c2'], 'node 2 serves some of its participants');
    assert.deepEqual(await media.pipeSecurity(), [{ node: 'c2', srtp: 'AEAD_AES_256_GCM' }], 'the pipe between the nodes is SRTP');
    assert.equal(busyWorkers(0).length, 2, 'both workers of node 1 carry the room');
    assert.equal(busyWorkers(1).length, 2, 'both workers of node 2 carry its viewers');
    assert.deepEqual(await nodes[1]!.app.services.cascade?.served(), { rooms: 1, peers: 2 }, 'node 2 serves its two viewers');

    await host.evaluate(() => document.querySelector('call-widget')!.setParticipantRole('far1', 'host'));
    await waitForVideoFrom(host, 'far1', 10, 20_000);
    await waitForVideoFrom(near, 'far1', 10, 20_000);
    await waitForVideoFrom(far[1]!, 'far1', 10, 20_000);
    for (const p of [host, near, ...far]) await p.close();
    await until('the room to end and node 2 to let go of its part', async () => ((await nodes[1]!.app.services.cascade?.served())?.rooms === 0 && busyWorkers(1).length === 0 ? true : undefined), 15_000);
  });
});
