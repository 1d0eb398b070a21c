// A node's identity key: an Ed25519 key pair. Peers pin the public key (base64 of its 32 raw
// bytes) and the handshake checks a signature by it, so a member cannot be posed as even by
// another member holding the peer secret (docs/security.md). The key file of a data directory is
// storage/nodeKeyFile.ts.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ERROR_CODES, GenPaxosError } from './errors.js';

export interface NodeKey {
  readonly privateKey: KeyObject;
  /** Base64 of the 32 raw bytes of the public key: what peers pin (`--peer-key ID=KEY`). */
  readonly publicKey: string;
}

export function generateNodeKey(): NodeKey {
  return nodeKeyOf(generateKeyPairSync('ed25519').privateKey);
}

/** The private key as PKCS#8 PEM, for a key file. */
export function nodeKeyPem(key: NodeKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads an Ed25519 private key (PKCS#8 PEM). Throws PAXOS_ERR_BAD_OPTION. */
export function parseNodeKey(pem: string, where: string): NodeKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `${where}: not a private key: ${(error as Error).message}`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `${where}: an Ed25519 key is needed, got ${String(privateKey.asymmetricKeyType)}`,
    );
  return nodeKeyOf(privateKey);
}

/** A pinned public key (base64 of 32 raw bytes) as a key object. Throws PAXOS_ERR_BAD_OPTION. */
export function parsePublicKey(base64: unknown, what: string): KeyObject {
  if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]{43}=?$/.test(base64))
    throw new GenPaxosError(
      ERROR_CODES.BAD_OPTION,
      `${what} must be the base64 of a 32-byte Ed25519 public key, got ${JSON.stringify(base64)}`,
    );
  const raw = Buffer.from(base64, 'base64');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

function nodeKeyOf(privateKey: KeyObject): NodeKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x as string, 'base64url').toString('base64');
  return { privateKey, publicKey };
}
