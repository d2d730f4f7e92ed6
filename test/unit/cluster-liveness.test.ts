// Pure cluster decisions: who counts as dead after a heartbeat, and where a new call or room goes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Liveness, type NodeInfo, judgeLiveness, placeOn } from '../../server/cluster/directory';

const BEAT = 1000;
const node = (id: string, load = 0, draining = false): NodeInfo => ({ id, load, draining });
const start: Liveness = { nodes: [node('a'), node('b')], suspects: new Map(), dead: [] };

test('a node that stops beating is a suspect (still routed to), then dead after 1.5 more beats', () => {
  let l = judgeLiveness(start, [node('a')], 10_000, 0, BEAT);
  assert.deepEqual(l.dead, []);
  assert.deepEqual(l.nodes.map((n) => n.id).sort(), ['a', 'b'], 'b is still routed to while suspected');
  l = judgeLiveness(l, [node('a')], 11_000, 0, BEAT);
  assert.deepEqual(l.dead, []);
  l = judgeLiveness(l, [node('a')], 11_500, 0, BEAT);
  assert.deepEqual(l.dead, ['b']);
  assert.deepEqual(l.nodes.map((n) => n.id), ['a']);
});

test('a suspect that beats again is alive', () => {
  let l = judgeLiveness(start, [node('a')], 10_000, 0, BEAT);
  l = judgeLiveness(l, [node('a'), node('b')], 11_000, 0, BEAT);
  assert.equal(l.suspects.size, 0);
  l = judgeLiveness(l, [node('a'), node('b')], 12_000, 0, BEAT);
  assert.deepEqual(l.dead, []);
});

test('right after Redis was unreachable (or came back empty) nobody is declared dead', () => {
  // The last failed beat was at 10 s; Redis came back empty, so only this node's key exists yet.
  let l = judgeLiveness(start, [node('a')], 10_500, 10_000, BEAT);
  l = judgeLiveness(l, [node('a')], 12_000, 10_000, BEAT);
  assert.deepEqual(l.dead, [], 'within 2.5 beats of a failed beat no death is trusted');
  l = judgeLiveness(l, [node('a'), node('b')], 12_400, 10_000, BEAT);
  assert.equal(l.suspects.size, 0, 'b beat again: no failover happened');
});

test('placement: least-loaded node that is not draining; this node on a tie', () => {
  assert.equal(placeOn([node('a', 3), node('b', 1), node('c', 1)], 'c'), 'c');
  assert.equal(placeOn([node('a', 3), node('b', 1), node('c', 2)], 'c'), 'b');
  assert.equal(placeOn([node('a', 0, true), node('b', 5)], 'a'), 'b', 'a draining node takes no new rooms');
  assert.equal(placeOn([], 'a'), 'a');
});
