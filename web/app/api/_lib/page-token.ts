/**
 * The runs list's page tokens as the API hands them out: Temporal's token, a dot, and a MAC made with the app's
 * secret. A token the API did not hand out (edited, truncated, made up) is refused with a 400 at once instead of
 * going to Temporal, which may take its time to refuse it (the dev server answers UNKNOWN, which the client
 * retries for about 20 s).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/env';

function mac(token: string): string {
  return createHmac('sha256', getEnv().nextAuthSecret).update(`sluice runs page token:${token}`).digest('base64url').slice(0, 22);
}

/** The shape of a sealed token: Temporal's token and the MAC, both base64url. */
export const PAGE_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/;

/** `nextPageToken` of a page of runs, as the API returns it. */
export function sealPageToken(token: string): string {
  return `${token}.${mac(token)}`;
}

/** Temporal's token inside a sealed one, or null when this app did not hand it out. */
export function openPageToken(sealed: string): string | null {
  const dot = sealed.lastIndexOf('.');
  if (dot <= 0) return null;
  const token = sealed.slice(0, dot);
  const given = Buffer.from(sealed.slice(dot + 1));
  const wanted = Buffer.from(mac(token));
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? token : null;
}
