// gen-paxos/client: a program that is not a cluster member asks and reads keys through any node,
// over the client protocol (docs/wire-protocol.md), without loading the node, the store or the runtime.
export { connectClient, GenPaxosClient } from './client.js';
export type { ClientOptions, AskRequestOptions, MemberChangeOptions } from './client.js';
export type { MembersReport, MemberReport, NewMember } from './memberRequests.js';
export type { NodeStatus, LinkStatus } from '../wire/frames.js';
export { WireError, WIRE_ERROR_CODES, CLOSE_CODES } from '../wire/wireErrors.js';
export type { WireErrorCode } from '../wire/wireErrors.js';
export { GenPaxosError, ERROR_CODES } from '../../base/errors.js';
export type { ErrorCode, ErrorInfo } from '../../base/errors.js';
export type { PaxosValue } from '../../paxos/messages.js';
