/**
 * A single-sign-on user's claims: the ID token's, completed by the provider's userinfo endpoint.
 *
 * Providers differ in where they put email, name and groups. Keycloak and Entra ID put what their mappers
 * or optional claims add into the ID token; Okta and standard-conforming providers such as panva's
 * oidc-provider send a "thin" ID token (only `sub` and friends) whenever an access token is issued too,
 * and the scope's claims from userinfo only. next-auth on its own reads only the ID token, so such users
 * were refused as having no email. Where both carry a claim, the ID token (signed) wins.
 */
/** What next-auth passes to a provider's `userinfo.request` (an openid-client Client and TokenSet at run time). */
export interface UserinfoContext {
  tokens: { access_token?: string };
  client: { userinfo(accessToken: string): Promise<Record<string, unknown>>; issuer: { metadata: { userinfo_endpoint?: string } } };
}

export async function oidcClaims({ tokens, client }: UserinfoContext): Promise<Record<string, unknown>> {
  // With `idToken: true` next-auth has validated the ID token (signature, issuer, audience, nonce) and hands
  // over openid-client's TokenSet, whose claims() decodes it.
  const idToken = (tokens as { claims(): Record<string, unknown> }).claims();
  if (!tokens.access_token || !client.issuer.metadata.userinfo_endpoint) return idToken;
  let userinfo: Record<string, unknown>;
  try {
    userinfo = await client.userinfo(tokens.access_token);
  } catch (err) {
    console.warn(`[sluice] single sign-on: the userinfo endpoint failed (${(err as Error).message}); using the ID token's claims only.`);
    return idToken;
  }
  // OpenID Connect Core 5.3.4: userinfo about another subject must not be used.
  if (userinfo.sub !== idToken.sub) {
    console.warn('[sluice] single sign-on: the userinfo endpoint answered for another subject; using the ID token\'s claims only.');
    return idToken;
  }
  return { ...userinfo, ...idToken };
}
