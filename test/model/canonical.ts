// Canonical forms for the model checker: interning of canonical strings to small integers, so a
// global state is a handful of numbers and bitsets.
export { stableStringify } from '../support/stableStringify.js';

/** Gives each distinct canonical key a dense id, and keeps one item per id. */
export class Interner<T> {
  private readonly ids = new Map<string, number>();
  private readonly table: T[] = [];

  intern(key: string, make: () => T): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.table.length;
    this.table.push(make());
    this.ids.set(key, id);
    return id;
  }

  get(id: number): T {
    const item = this.table[id];
    if (item === undefined) throw new Error(`no interned item ${id}`);
    return item;
  }

  get size(): number {
    return this.table.length;
  }
}
