/**
 * Channel targets and secrets at rest: AES-256-GCM with a key derived from a server secret
 * (SLUICE_SECRET_KEY, else NEXTAUTH_SECRET). Text is `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SluiceError } from '../errors';

/** Thrown when stored text cannot be decrypted: another key, or not Sluice's text. */
export class SecretKeyError extends SluiceError {
  static override readonly code = 'secret_key_mismatch';

  override name = 'SecretKeyError';
}

export class SecretBox {
  private readonly key: Buffer;

  /** `secret`: at least 32 characters, the same in every process that reads the store. */
  constructor(secret: string) {
    if (secret.length < 32) throw new SecretKeyError('The key for stored channel secrets must be at least 32 characters (set SLUICE_SECRET_KEY, e.g. openssl rand -base64 32).');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'sluice', 'notification channels v1', 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new SecretKeyError('A stored channel secret is not in Sluice\'s format.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new SecretKeyError('A stored channel secret cannot be decrypted: SLUICE_SECRET_KEY (or NEXTAUTH_SECRET) differs from the one it was stored with. Add the channel again.', { cause: err });
    }
  }
}
