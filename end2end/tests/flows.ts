// Steps the specs share: an authorization request of the Ward app (a
// public client whose callback Playwright answers), and signing in with a
// password on whichever sign-in page is open.
import type { Page } from "@playwright/test";

/** `/authorize?…` for the Ward app with a fixed PKCE challenge, `state` and any `extra` parameters. */
export function wardAuthorize(state: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: "ward-spa",
    redirect_uri: "https://ward.e2e.example/callback",
    response_type: "code",
    scope: "openid email",
    state,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    ...extra,
  });
  return `/authorize?${params}`;
}

/** Fills in the e-mail address and password and presses "Sign in". */
export async function signInWithPassword(page: Page, email: string, password: string) {
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}
