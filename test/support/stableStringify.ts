// A key-order-independent serialisation of plain data: equal values give equal strings. Used to
// compare Paxos values (which may be objects) and to build canonical keys.

/** JSON with object keys sorted: equal plain data always gives the same string. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value instanceof Uint8Array) return `bytes(${Array.from(value).join(',')})`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .sort()
    .map((field) => `${JSON.stringify(field)}:${stableStringify(record[field])}`);
  return `{${fields.join(',')}}`;
}
