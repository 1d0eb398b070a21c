// Exit reasons across nodes: errors cannot travel as objects, so they become `{ code, message }`
// on the way out and a coded Error again on the way in.
import type { ExitReason } from '../exitReason.js';
import { runtimeErrorFromInfo, runtimeErrorInfo } from '../runtimeError.js';
import type { WireExitReason } from './remoteRouter.js';

export function toWireReason(reason: ExitReason): WireExitReason {
  if (typeof reason === 'object' && 'error' in reason) return { error: runtimeErrorInfo(reason.error) };
  return reason;
}

export function fromWireReason(reason: WireExitReason): ExitReason {
  if (typeof reason === 'object' && 'error' in reason) return { error: runtimeErrorFromInfo(reason.error) };
  return reason;
}
