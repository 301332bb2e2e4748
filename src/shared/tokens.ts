import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes: unguessable bearer secrets (staff sessions, citizen tracking links). */
export const generateToken = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** Only hashes of bearer secrets are stored, so a copy of the database grants nothing. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
