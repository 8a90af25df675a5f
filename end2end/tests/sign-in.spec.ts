// The authorization code flow as a person goes through it: a relying party
// sends the browser to /authorize, the person signs in and consents, the
// browser lands on the registered callback with a code, and the code
// exchanges for tokens. The callback host does not exist: Playwright
// answers it, so the test sees exactly what the browser was sent.
import { test, expect, type Page, type Route } from "@playwright/test";
import { createHash, randomBytes } from "node:crypto";
import { watchConsole } from "./console";

const CALLBACK = "https://ward.e2e.example/callback";

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

function authorizeUrl(challenge: string, extra: Record<string, string> = {}) {
  const params = new URLSearchParams({
    client_id: "ward-spa",
    redirect_uri: CALLBACK,
    response_type: "code",
    scope: "openid profile email",
    state: "e2e-state",
    nonce: "e2e-nonce",
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  });
  return `/authorize?${params}`;
}

/** Answers the client's callback and reports the URL the browser arrived with. */
async function catchCallback(page: Page): Promise<() => URL | undefined> {
  let arrived: URL | undefined;
  await page.route("https://ward.e2e.example/**", async (route: Route) => {
    arrived = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Callback</h1>" });
  });
  return () => arrived;
}

async function signInAndConsent(page: Page, hydrates = false) {
  if (hydrates) {
    // The page hydrates from the interaction the server wrote into it: it
    // must stay the sign-in form, not turn into "expired".
    await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  }
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await expect(page.getByText("Ward app")).toBeVisible();
  await page.getByLabel("E-mail address").fill("jane@e2e.example");
  await page.getByLabel("Password").fill("jane-correct-horse-battery");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  if (hydrates) {
    await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  }
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
  await expect(page.getByText("See your e-mail address")).toBeVisible();
  await expect(page.getByRole("link", { name: "Privacy policy" })).toHaveAttribute("href", "https://ward.e2e.example/privacy");
  await page.getByRole("button", { name: "Allow" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  test(`sign in, consent and exchange the code (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser, request, baseURL }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchConsole(page);
    const callback = await catchCallback(page);
    const { verifier, challenge } = pkce();

    // prompt=consent: the tests run in parallel for the same person, and
    // a consent one of them gave must not skip the other's screen.
    await page.goto(authorizeUrl(challenge, { prompt: "consent" }));
    await signInAndConsent(page, javaScriptEnabled);
    await expect.poll(() => callback()?.origin).toBe("https://ward.e2e.example");
    expect(errors, "no CSP violation or hydration error").toEqual([]);
    const params = callback()!.searchParams;
    expect(params.get("state")).toBe("e2e-state");
    expect(params.get("iss")).toBe(baseURL);
    const code = params.get("code");
    expect(code).toBeTruthy();

    const tokens = await request.post("/token", {
      form: {
        grant_type: "authorization_code",
        code: code!,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        client_id: "ward-spa",
      },
    });
    expect(tokens.status()).toBe(200);
    const body = await tokens.json();
    expect(body.token_type).toBe("bearer");
    const idToken = JSON.parse(Buffer.from(body.id_token.split(".")[1], "base64url").toString());
    expect(idToken.nonce).toBe("e2e-nonce");
    expect(idToken.email).toBe("jane@e2e.example");

    // The second time, the session and the remembered consent make it silent.
    const again = pkce();
    await page.goto(authorizeUrl(again.challenge)).catch(() => undefined);
    await expect.poll(() => callback()?.searchParams.get("code")).not.toBe(code);
    await context.close();
  });
}

/** A page of the Ward app whose button POSTs an authorization request to Sanus. */
function formPage(baseURL: string, challenge: string, extra: Record<string, string>) {
  const params = new URLSearchParams(authorizeUrl(challenge, extra).split("?")[1]);
  const inputs = [...params].map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join("");
  return `<!doctype html><title>Ward app</title><form method="post" action="${baseURL}/authorize">${inputs}<button>Sign in with Sanus</button></form>`;
}

test("a relying party may POST the authorization request as a form, from its own site", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const callback = await catchCallback(page);
  const { challenge } = pkce();
  // Plain http, so that Chromium does not stop at a "not secure form" warning;
  // to Sanus on localhost it is just as cross-site.
  let extra: Record<string, string> = { prompt: "consent" };
  await page.route("http://ward.e2e.example/start", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: formPage(baseURL!, challenge, extra) }),
  );
  await page.goto("http://ward.e2e.example/start");
  await page.getByRole("button", { name: "Sign in with Sanus" }).click();
  await signInAndConsent(page);
  await expect.poll(() => callback()?.searchParams.get("code")).toBeTruthy();
  const first = callback()!.searchParams.get("code");

  // Signed in now: a silent request by form finds the session (its cookie
  // is SameSite=Lax, so Sanus passes the POST on as a GET to itself).
  extra = { prompt: "none" };
  await page.goto("http://ward.e2e.example/start");
  await page.getByRole("button", { name: "Sign in with Sanus" }).click();
  await expect.poll(() => callback()?.searchParams.get("code")).not.toBe(first);
  expect(callback()!.searchParams.get("error")).toBeNull();
  expect(callback()!.searchParams.get("state")).toBe("e2e-state");
  await context.close();
});

test("a wrong password says so and keeps the e-mail field usable", async ({ page }) => {
  const { challenge } = pkce();
  await page.goto(authorizeUrl(challenge));
  await page.getByLabel("E-mail address").fill("jane@e2e.example");
  await page.getByLabel("Password").fill("not-her-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("The e-mail address or the password is not correct");
  await expect(page.getByLabel("Password")).toBeVisible();
});

test("an unregistered redirect URI stops at an error page", async ({ page }) => {
  const { challenge } = pkce();
  const response = await page.goto(authorizeUrl(challenge, { redirect_uri: "https://evil.example/callback" }));
  expect(response?.status()).toBe(400);
  await expect(page.getByText("To protect you, Sanus stops here.")).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/authorize");
});
