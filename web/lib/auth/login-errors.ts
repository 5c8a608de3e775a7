/**
 * What the log-in page says for an `?error=` code in its URL. Only known codes are shown in words: the
 * URL can be crafted by anyone, so its text is never displayed as it is.
 */
const MESSAGES = {
  SsoNoEmail: 'Your identity provider sent no email address; Sluice needs one. Ask your admin to add the email scope.',
  SsoEmailUnverified: 'Your identity provider says your email address is not verified. Verify it there, then log in again.',
  SsoNoGroup: 'Your account is in none of the groups allowed into Sluice. Ask an admin.',
  SsoOtherIdentity:
    'The Sluice account with this email belongs to another single sign-on identity, so this log-in cannot open it. Ask an admin (they can tell who the account is bound to).',
  SsoEmailTaken: 'Your identity provider gave you an email address that another Sluice user already has. Ask an admin.',
  Disabled: 'This account is disabled. Ask an admin to enable it.',
  OAuthSignin: 'Could not reach the single sign-on provider. Try again, or log in with your email and password.',
  OAuthCallback: 'The single sign-on provider answered with an error. Try again.',
  OAuthAccountNotLinked: 'This email is already used by another log-in method.',
  AccessDenied: 'Access denied.',
  Callback: 'Log-in failed. Try again.',
  Configuration: 'Log-in is misconfigured on the server. Tell your admin (the server log says what is wrong).',
  SessionRequired: 'Log in to see this page.',
} as const;

export type LoginErrorCode = keyof typeof MESSAGES;

export function loginErrorMessage(code: string | undefined): string | null {
  if (!code) return null;
  return (MESSAGES as Record<string, string>)[code] ?? 'Log-in failed. Try again.';
}
