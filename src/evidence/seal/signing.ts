import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { sha256Hex } from '../files.js';

/**
 * Ed25519 signatures over the manifest's canonical bytes. The private key comes from an environment
 * variable named in the config (PKCS#8, PEM or base64 DER); the public key is published by whoever
 * runs Quell (`quell evidence keygen` prints it) so an outsider can check a bundle without trusting
 * Quell's storage or Redis.
 */
export const SIGNATURE_ALGORITHM = 'Ed25519';

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-256 of the public key's SPKI DER, hex: names the key in the manifest and the signature file. */
  keyId: string;
}

export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/** A private key from its PEM text or its base64 PKCS#8 DER (what fits in one env variable line). */
export function loadSigningKey(text: string, source: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = text.includes('-----BEGIN')
      ? createPrivateKey(text.replace(/\\n/g, '\n'))
      : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new SigningKeyError(`${source} does not hold a PKCS#8 private key (PEM or base64 DER)`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `${source} holds a ${privateKey.asymmetricKeyType} key; evidence is signed with Ed25519`,
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A public key from PEM (SPKI), base64 SPKI DER, or the raw 32-byte key in base64/hex. */
export function loadPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.includes('-----BEGIN')) key = createPublicKey(trimmed);
    else {
      const raw = /^[0-9a-f]{64}$/i.test(trimmed)
        ? Buffer.from(trimmed, 'hex')
        : Buffer.from(trimmed, 'base64');
      key =
        raw.length === 32
          ? createPublicKey({
              key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
              format: 'jwk',
            })
          : createPublicKey({ key: raw, format: 'der', type: 'spki' });
    }
  } catch {
    throw new SigningKeyError(
      'not an Ed25519 public key (PEM, base64 SPKI, or the raw key in base64 or hex)',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(`a ${key.asymmetricKeyType} key is not an Ed25519 public key`);
  return key;
}

export function signBytes(key: SigningKey, bytes: Uint8Array): string {
  return sign(null, bytes, key.privateKey).toString('base64');
}

export function verifySignature(publicKey: KeyObject, bytes: Uint8Array, signatureBase64: string): boolean {
  try {
    return verify(null, bytes, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
