// The key file of a data directory (`node-key.pem`, PKCS#8 PEM, mode 0600): a node with a data
// directory makes its Ed25519 identity key there on first start and keeps it for every later
// start, as it keeps its incarnation (base/nodeKey.ts has the key itself).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNodeKey, nodeKeyPem, parseNodeKey, type NodeKey } from '../base/nodeKey.js';

/** The key file's name inside a data directory. */
export const NODE_KEY_FILE = 'node-key.pem';

/** The key of data directory `dir`, made on first use. The caller holds the directory's lock. */
export function loadOrCreateNodeKey(dir: string): NodeKey {
  const file = join(dir, NODE_KEY_FILE);
  if (existsSync(file)) return parseNodeKey(readFileSync(file, 'utf8'), file);
  const key = generateNodeKey();
  writeFileSync(file, nodeKeyPem(key), { mode: 0o600, flag: 'wx' });
  return key;
}
