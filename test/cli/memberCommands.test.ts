// `gen-paxos member …` and `node --join` without processes: arguments parsed or refused with a
// usage error, a change's failure turned into its exit status (7 only for decided-not-complete),
// the member table, and where a node stands (member, waiting, stopped) from its view and links.
import { describe, expect, it } from 'vitest';
import { GenPaxosError, ERROR_CODES } from '../../src/base/errors.js';
import { parseFlags } from '../../src/cli/args.js';
import { COMMAND_SPECS } from '../../src/cli/commandSpecs.js';
import { EXIT, UsageError } from '../../src/cli/exitCodes.js';
import { changeExitCode, formatMembers, memberArg } from '../../src/cli/memberCommands.js';
import { memberState } from '../../src/cli/membershipWatch.js';
import type { MembershipView } from '../../src/node/membership/nodeMembership.js';
import type { LinkStatus } from '../../src/transport/wire/frames.js';
import { reasonOfDial } from '../../src/transport/wire/linkReasons.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import { newNonce } from '../../src/transport/wire/handshake.js';
import { checkRefusal, refusalFrame } from '../../src/transport/wire/handshakeRefusal.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { generateNodeKey, parsePublicKey } from '../../src/base/nodeKey.js';
import { checkMember, type Roster } from '../../src/transport/wire/roster.js';
import {
  CLOSE_CODES,
  REFUSAL_CLOSE_CODES,
  WIRE_ERROR_CODES,
  WireError,
  closeReason,
  codeOfCloseReason,
  problem,
  type WireProblem,
} from '../../src/transport/wire/wireErrors.js';

describe('member arguments', () => {
  it('takes ID=URL, HOST:PORT meaning ws://', () => {
    expect(memberArg('f=ws://10.0.0.4:7001', 'ID=URL')).toEqual({ id: 'f', url: 'ws://10.0.0.4:7001' });
    expect(memberArg('f=10.0.0.4:7001', 'ID=URL')).toEqual({ id: 'f', url: 'ws://10.0.0.4:7001' });
    expect(memberArg('f=wss://h:1', 'ID=URL')).toEqual({ id: 'f', url: 'wss://h:1' });
  });

  it.each(['f', '=ws://h:1', 'f=', 'f=http://h:1', 'f=h', 'bad id=ws://h:1'])('refuses %j', (raw) => {
    expect(() => memberArg(raw, 'ID=URL')).toThrow(UsageError);
  });

  it('each subcommand takes exactly its arguments', () => {
    const add = COMMAND_SPECS['member add']!;
    expect(parseFlags(['f=h:1', '--timeout-ms', '5000'], add, {}).positionals).toEqual(['f=h:1']);
    expect(() => parseFlags([], add, {})).toThrow(/missing ID=URL/);
    expect(() => parseFlags(['c', 'f=h:1'], COMMAND_SPECS['member replace']!, {})).not.toThrow();
    expect(() => parseFlags(['c'], COMMAND_SPECS['member replace']!, {})).toThrow(/missing NEW-ID=URL/);
    expect(() => parseFlags(['c', 'd'], COMMAND_SPECS['member remove']!, {})).toThrow(/unexpected "d"/);
    expect(() => parseFlags(['x'], COMMAND_SPECS['member list']!, {})).toThrow(/takes no arguments/);
    // list has no --timeout-ms: it changes nothing.
    expect(() => parseFlags(['--timeout-ms', '1'], COMMAND_SPECS['member list']!, {})).toThrow(
      /unknown flag --timeout-ms/,
    );
  });
});

describe('exit status of a change', () => {
  it.each([
    [ERROR_CODES.CHANGE_INCOMPLETE, EXIT.CHANGE_INCOMPLETE],
    [ERROR_CODES.MEMBER_EXISTS, EXIT.REQUEST_FAILED],
    [ERROR_CODES.NOT_A_MEMBER, EXIT.REQUEST_FAILED],
    [ERROR_CODES.CHANGE_IN_PROGRESS, EXIT.REQUEST_FAILED],
    [ERROR_CODES.CHANGE_CONFLICT, EXIT.REQUEST_FAILED],
    [ERROR_CODES.UNSAFE_CHANGE, EXIT.REQUEST_FAILED],
    [ERROR_CODES.TIMEOUT, EXIT.REQUEST_FAILED],
  ])('%s exits %i', (code, status) => {
    expect(changeExitCode(new GenPaxosError(code, 'x'))).toBe(status);
  });

  it('is 7 only for a change decided and not complete; 4 and 5 as for every client command', () => {
    expect(EXIT.CHANGE_INCOMPLETE).toBe(7);
    expect(changeExitCode(new WireError(WIRE_ERROR_CODES.CONNECT_FAILED, 'x'))).toBe(EXIT.UNREACHABLE);
    expect(changeExitCode(new WireError(WIRE_ERROR_CODES.AUTH_FAILED, 'x'))).toBe(EXIT.REFUSED);
  });
});

describe('the member table', () => {
  it('shows each member, a leaving voter, why a link is down, and an unknown catch-up state', () => {
    const text = formatMembers({
      node: 'a',
      config: 2,
      epoch: 1,
      complete: false,
      previousVoters: ['a', 'b', 'c'],
      members: [
        { id: 'a', url: 'ws://h:1', voter: true, link: 'self', linkDown: null, caughtUp: true },
        { id: 'f', url: 'ws://h:4', voter: true, link: 'down', linkDown: 'unreachable', caughtUp: null },
        { id: 'c', url: null, voter: false, link: 'down', linkDown: 'WIRE_ERR_REMOVED', caughtUp: false },
      ],
    });
    expect(text.split('\n')).toEqual([
      'configuration 2 (epoch 1), changing from [a, b, c]: the transition is not complete; as node a knows it',
      'id  url       voter    link                     caught up',
      '--  --------  -------  -----------------------  ---------',
      'a   ws://h:1  yes      self                     yes',
      'f   ws://h:4  yes      down (unreachable)       unknown',
      'c   -         leaving  down (WIRE_ERR_REMOVED)  no',
    ]);
  });

  it('says so when the node has no configuration yet (joining)', () => {
    const text = formatMembers({
      node: 'f',
      config: 0,
      epoch: 0,
      complete: false,
      previousVoters: null,
      members: [],
    });
    expect(text).toMatch(/^node f has no configuration yet: it is joining/);
  });
});

describe('where a node stands (node --join, and a removed node)', () => {
  const view = (voters: string[], extra: Partial<MembershipView> = {}): MembershipView => ({
    config: 2,
    epoch: 1,
    complete: true,
    members: voters.map((id) => ({ id, url: null })),
    previousVoters: null,
    ...extra,
  });
  const refused = (peer: string, code: string, detail = 'no'): LinkStatus => ({
    peer,
    state: 'down',
    reason: { kind: 'refused', code, side: 'peer', closeCode: 4000, detail },
    dialledBy: null,
    forMs: 1,
  });

  it('is a member once its configuration lists it', () => {
    expect(memberState('f', view(['a', 'b', 'f']), [], true)).toEqual({
      state: 'member',
      config: 2,
      voters: ['a', 'b', 'f'],
    });
  });

  it('waits while it has no configuration and nobody refused it', () => {
    expect(memberState('f', view([], { config: 0 }), [], true)).toEqual({ state: 'waiting' });
    expect(memberState('f', view([]), [refused('a', WIRE_ERROR_CODES.AUTH_FAILED)], true)).toEqual({
      state: 'waiting',
    });
  });

  it('stops with PAXOS_ERR_NOT_A_MEMBER when joining and the group does not list it', () => {
    expect(memberState('f', view(['a', 'b', 'c']), [], true)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.NOT_A_MEMBER,
      message: expect.stringContaining('gen-paxos member add f=URL'),
    });
    expect(memberState('f', view([]), [refused('a', 'WIRE_ERR_NOT_A_MEMBER')], true)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.NOT_A_MEMBER,
    });
  });

  it('keeps waiting while one member refuses it and another let it in (that one has not adopted the change)', () => {
    const up: LinkStatus = { peer: 'b', state: 'up', reason: null, dialledBy: 'b', forMs: 1 };
    expect(memberState('f', view([]), [refused('a', 'WIRE_ERR_NOT_A_MEMBER'), up], true)).toEqual({
      state: 'waiting',
    });
    // …and a member that refuses it is no reason to stop once it is a member.
    expect(
      memberState('f', view(['a', 'b', 'f']), [refused('a', 'WIRE_ERR_NOT_A_MEMBER')], false),
    ).toMatchObject({ state: 'member' });
  });

  /**
   * A handshake refusal as the dialler's status has it when only the close frame said it (cut to
   * fit): unauthenticated, whoever sent it.
   */
  const seenAs = (peer: string, refusal: WireProblem | null): LinkStatus => {
    if (refusal === null) throw new Error(`${peer} admitted the dialler`);
    const reason = closeReason(refusal);
    const code = codeOfCloseReason(reason);
    if (code === null) throw new Error(`no code in ${reason}`);
    const detail = reason.replace(/^WIRE_ERR_[A-Z_]+: ?/, '');
    const why = reasonOfDial({
      opened: true,
      socketError: null,
      problem: problem(code, detail),
      closedBy: 'remote',
      closeCode: REFUSAL_CLOSE_CODES[code] ?? null,
    });
    return { peer, state: 'down', reason: why, dialledBy: null, forMs: 1 };
  };
  const secret = new TextEncoder().encode('peer secret');
  const keys = new Map(['a', 'n1'].map((id) => [id, generateNodeKey()]));
  /**
   * The same refusal when `peer` proved it (handshakeRefusal.ts): its refusal frame, made with
   * `madeWith` (the peer secret), encoded, validated and checked by the dialler `self` against
   * the secret and the key it pinned for `peer`, as the transport does; one that does not verify
   * leaves only the close frame.
   */
  const provenAs = (
    peer: string,
    self: string,
    refusal: WireProblem | null,
    madeWith: Uint8Array = secret,
  ): LinkStatus => {
    if (refusal === null) throw new Error(`${peer} admitted the dialler`);
    const key = keys.get(peer);
    if (key === undefined) throw new Error(`no key for ${peer}`);
    const [serverNonce, clientNonce] = [newNonce(), newNonce()];
    const claims = { cluster: 'k', node: peer, dialler: self, code: refusal.code, detail: refusal.detail };
    const sent = refusalFrame(madeWith, key.privateKey, claims, serverNonce, clientNonce);
    const decoded = decodeFrame(encodeFrame(sent), 1 << 20);
    const frame = decoded.ok ? validateFrame(decoded.value) : decoded;
    if (!frame.ok || frame.value.t !== 'refusal') throw new Error('the refusal frame did not validate');
    const side = {
      secret,
      cluster: 'k',
      self,
      expectedPeer: peer,
      expectedKey: parsePublicKey(key.publicKey, peer),
      serverNonce,
      clientNonce,
    };
    if (checkRefusal(frame.value, side) !== null) return seenAs(peer, refusal);
    const why = reasonOfDial({
      opened: true,
      socketError: null,
      problem: problem(refusal.code, frame.value.detail),
      closedBy: 'local',
      closeCode: null,
      authenticated: true,
    });
    return { peer, state: 'down', reason: why, dialledBy: null, forMs: 1 };
  };
  /** A peer's roster on configuration 5: voters a, b; `removed` left out by configuration 4. */
  const rosterOf = (removed: string, selfRemovedIn: number | null = null): Roster => ({
    config: { number: 5, digest: 'f'.repeat(64) },
    isMember: (id) => id === 'a' || id === 'b',
    removedIn: (id) => (id === removed ? 4 : null),
    selfRemovedIn,
  });

  it('stops with PAXOS_ERR_REMOVED when a member proves it refused it as removed (it was down during the change)', () => {
    const removedC = provenAs('a', 'c', checkMember('c', { cfg: 3, digest: 'e'.repeat(64) }, rosterOf('c')));
    expect(removedC.reason).toMatchObject({
      kind: 'refused',
      code: WIRE_ERROR_CODES.REMOVED,
      side: 'peer',
      authenticated: true,
    });
    expect(memberState('c', view(['a', 'b', 'c']), [removedC], false)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.REMOVED,
      message: 'node c was removed: a refused it (PAXOS_ERR_REMOVED: node c was removed in configuration 4)',
    });
  });

  it('keeps serving on a bare close code 4015, or a refusal frame that does not verify: anything at a member URL can send those', () => {
    const refusal = checkMember('c', { cfg: 3, digest: 'e'.repeat(64) }, rosterOf('c'));
    const bare = seenAs('a', refusal);
    expect(bare.reason).toMatchObject({ code: WIRE_ERROR_CODES.REMOVED, closeCode: CLOSE_CODES.REMOVED });
    expect(bare.reason?.authenticated).toBeUndefined();
    expect(memberState('c', view(['a', 'b', 'c']), [bare], false)).toMatchObject({ state: 'member' });
    const forged = provenAs('a', 'c', refusal, new TextEncoder().encode('guess'));
    expect(forged.reason?.authenticated).toBeUndefined();
    expect(memberState('c', view(['a', 'b', 'c']), [forged], false)).toMatchObject({ state: 'member' });
  });

  it('stops on a proven refusal of a long id, whose detail comes whole (a close reason cuts it)', () => {
    const long = `node-${'x'.repeat(120)}`;
    const refused = checkMember(long, { cfg: 3, digest: 'e'.repeat(64) }, rosterOf(long));
    expect(seenAs('a', refused).reason?.detail).not.toContain('was removed'); // cut at 123 bytes
    const refusal = provenAs('a', long, refused);
    expect(refusal.reason?.code).toBe(WIRE_ERROR_CODES.REMOVED);
    expect(memberState(long, view(['a', 'b', long]), [refusal], false)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.REMOVED,
      message: expect.stringContaining(
        `node ${long} was removed: a refused it (PAXOS_ERR_REMOVED: node ${long} was removed in configuration 4)`,
      ),
    });
  });

  it('keeps serving when a peer refuses it because that peer was removed itself', () => {
    // n6 was removed in configuration 5 and refuses every dialler, with a code of its own; n2,
    // still dialling it before it adopts that change, is a member all the same.
    const n6 = rosterOf('none', 5);
    const removedPeer = seenAs('n6', checkMember('n2', { cfg: 4, digest: 'e'.repeat(64) }, n6));
    expect(removedPeer.reason).toMatchObject({
      kind: 'refused',
      code: WIRE_ERROR_CODES.PEER_REMOVED,
      closeCode: CLOSE_CODES.PEER_REMOVED,
      detail: 'this node was removed in configuration 5: it links nobody',
    });
    expect(memberState('n2', view(['n1', 'n2', 'n3', 'n6']), [removedPeer], false)).toMatchObject({
      state: 'member',
    });
    // The same from a member that did remove n2, and proved it, stops it.
    const removedN2 = provenAs(
      'n1',
      'n2',
      checkMember('n2', { cfg: 4, digest: 'e'.repeat(64) }, rosterOf('n2')),
    );
    expect(memberState('n2', view(['n1', 'n2', 'n3', 'n6']), [removedPeer, removedN2], false)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.REMOVED,
    });
  });

  it('a joining node counts a removed peer neither as a member that let it in nor as one that refused it', () => {
    const n6 = refused('n6', WIRE_ERROR_CODES.PEER_REMOVED, 'this node was removed in configuration 5');
    expect(memberState('f', view([]), [refused('a', 'WIRE_ERR_NOT_A_MEMBER'), n6], true)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.NOT_A_MEMBER,
    });
    expect(memberState('f', view([]), [n6], true)).toEqual({ state: 'waiting' });
  });

  it('stops with PAXOS_ERR_REMOVED once a completed change removed it, not while it still answers', () => {
    expect(memberState('c', view(['a', 'b', 'f']), [], false)).toMatchObject({
      state: 'stopped',
      code: ERROR_CODES.REMOVED,
    });
    const transition = view(['a', 'b', 'f'], { complete: false, previousVoters: ['a', 'b', 'c'] });
    expect(memberState('c', transition, [], false)).toEqual({ state: 'waiting' });
  });
});
