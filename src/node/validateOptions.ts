// Checks of node options. Each returns a description of the problem, or null.

export function checkMembers(id: unknown, members: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0)
    return `id must be a non-empty string, got ${JSON.stringify(id)}`;
  if (!Array.isArray(members) || members.length === 0) return 'members must be a non-empty array of node ids';
  for (const member of members) {
    if (typeof member !== 'string' || member.length === 0) {
      return `every member must be a non-empty string, got ${JSON.stringify(member)}`;
    }
  }
  const seen = new Set<string>();
  for (const member of members as string[]) {
    if (seen.has(member)) return `member ${JSON.stringify(member)} is listed twice`;
    seen.add(member);
  }
  if (!seen.has(id)) return `members must include the node itself (${JSON.stringify(id)})`;
  return null;
}

/** `members` must be the transport's members, when it knows them: the same ids, in any order. */
export function checkTransportMembers(
  members: readonly string[],
  transportMembers: readonly string[] | undefined,
): string | null {
  if (transportMembers === undefined) return null;
  const ours = [...members].sort();
  const theirs = [...transportMembers].sort();
  if (ours.length === theirs.length && ours.every((id, i) => id === theirs[i])) return null;
  return `members [${ours.join(', ')}] differ from the transport's members [${theirs.join(', ')}]`;
}

export function checkTimeout(timeoutMs: unknown): string | null {
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return `timeoutMs must be a positive finite number, got ${String(timeoutMs)}`;
  }
  return null;
}
