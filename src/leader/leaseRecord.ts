// The lease log of a group: slot 1, 2, 3… of a group is the Paxos key `lease/<group>/<slot>`, and
// each slot is decided once, to one of these records. Pure data (each record is a PaxosValue).
// Values decided for a slot are validated before use: anything could have been asked for a key,
// and a slot decided to something that is not a record of its own group and slot is read as
// vacant (it grants nobody a lease).
import type { PaxosValue } from '../paxos/messages.js';

/**
 * A lease for `holder`, from the holder's first ask for this slot, for `leaseMs` of the holder's
 * clock. `epoch` is the fencing token: it stays the same while one holder (one incarnation of it)
 * keeps renewing, and goes up by one whenever anyone else takes over.
 */
export type LeaseGrant = {
  readonly kind: 'lease';
  readonly group: string;
  readonly slot: number;
  readonly holder: string;
  readonly epoch: number;
  readonly leaseMs: number;
  /** Unique per claim: tells the holder which of its asks won, and so when its lease began. */
  readonly claim: string;
};

/**
 * A probe decided the slot: nobody holds a lease through it. A node catching up asks the head of
 * the log with this value; its own probe winning proves it has reached the head.
 */
export type VacantRecord = {
  readonly kind: 'vacant';
  readonly group: string;
  readonly slot: number;
  readonly by: string;
  readonly claim: string;
};

/** The holder of `epoch` gave the lease up (it stopped acting first): others may take over at once. */
export type ReleaseRecord = {
  readonly kind: 'release';
  readonly group: string;
  readonly slot: number;
  readonly holder: string;
  readonly epoch: number;
  readonly claim: string;
};

export type LeaseRecord = LeaseGrant | VacantRecord | ReleaseRecord;

/** Keys are `lease/<group>/<slot>`; a group name is 1–200 characters. */
export const MAX_GROUP_LENGTH = 200;
export const LEASE_KEY_PREFIX = 'lease/';

export function leaseKey(group: string, slot: number): string {
  return `${LEASE_KEY_PREFIX}${group}/${slot}`;
}

/** The slot of `key` if it is a key of `group`'s log, else null. */
export function slotOfKey(group: string, key: string): number | null {
  const prefix = `${LEASE_KEY_PREFIX}${group}/`;
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  if (!/^[1-9][0-9]*$/.test(rest)) return null;
  const slot = Number(rest);
  return Number.isSafeInteger(slot) ? slot : null;
}

export function checkGroupName(group: unknown): string | null {
  if (typeof group !== 'string' || group.length === 0 || group.length > MAX_GROUP_LENGTH)
    return `a group name is a string of 1–${MAX_GROUP_LENGTH} characters`;
  return null;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/**
 * The record `value` stands for as slot `slot` of `group`. Anything else decided for the slot
 * (a foreign value, a record of another slot) reads as vacant: it grants no lease.
 */
export function readLeaseRecord(group: string, slot: number, value: PaxosValue): LeaseRecord {
  const v = value as Record<string, unknown> | null;
  const ours =
    typeof v === 'object' && v !== null && !Array.isArray(v) && v.group === group && v.slot === slot;
  if (ours) {
    if (
      v.kind === 'lease' &&
      isString(v.holder) &&
      isCount(v.epoch) &&
      typeof v.leaseMs === 'number' &&
      v.leaseMs > 0 &&
      Number.isFinite(v.leaseMs) &&
      isString(v.claim)
    )
      return value as LeaseGrant;
    if (v.kind === 'vacant' && isString(v.by) && isString(v.claim)) return value as VacantRecord;
    if (v.kind === 'release' && isString(v.holder) && isCount(v.epoch) && isString(v.claim))
      return value as ReleaseRecord;
  }
  return { kind: 'vacant', group, slot, by: '?', claim: '?' };
}

/** A one-line description, for traces and logs. */
export function describeRecord(record: LeaseRecord): string {
  switch (record.kind) {
    case 'lease':
      return `lease ${record.holder} epoch ${record.epoch}`;
    case 'vacant':
      return `vacant (probe by ${record.by})`;
    case 'release':
      return `release by ${record.holder} of epoch ${record.epoch}`;
  }
}
