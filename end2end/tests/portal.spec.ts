// A developer builds in the portal: an application (the short key says
// whether it is free as it is typed), its API scope, a single-page-app
// client and a machine client; she copies the machine client's
// credentials, and its token carries the application's scope in `scp`.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword } from "./flows";

const DEVELOPER = "developer@e2e.example";
const DEVELOPER_PASSWORD = "developer-correct-horse-battery";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

test("a developer creates an application, a single-page app and a machine client, and the machine client gets a token", async ({ page, request }) => {
  const errors = watchConsole(page);
  await page.goto("/signin?return_to=/portal");
  await signInWithPassword(page, DEVELOPER, DEVELOPER_PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Developer portal");
  await expect(page.getByRole("link", { name: "Ward app" })).toBeVisible();
  await hydrated(page);

  const key = page.getByLabel("Short key");
  await key.fill("ward");
  await expect(page.locator("#short-key-check")).toHaveText("This key is taken: choose another.");
  await key.fill("rounds");
  await expect(page.locator("#short-key-check")).toHaveText("This key is free.");
  await page.getByLabel("Name", { exact: true }).fill("Ward rounds");
  await page.getByRole("button", { name: "Create application" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ward rounds");
  await expect(page.getByRole("status")).toHaveText("Your application is ready. Define its scopes, then create a client.");

  await page.getByLabel("Scope name").fill("rounds_data.read");
  await page.getByRole("button", { name: "Add scope" }).click();
  await expect(page.getByRole("status")).toHaveText("The scope was added.");

  // A single-page app: public, no secret, a ready configuration.
  await page.getByLabel(/^Single-page app/).check();
  await page.getByLabel("Name", { exact: true }).first().fill("Rounds SPA");
  await page.getByLabel("Redirect URLs").fill("https://rounds.e2e.example/callback");
  await page.getByLabel("rounds_data.read").check();
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rounds SPA");
  await expect(page.getByRole("status")).toHaveText("The client was created.");
  await expect(page.locator("#client-secret")).toHaveCount(0);
  const spaId = (await page.locator("#client-id").textContent())!.trim();
  await expect(page.locator("#client-snippet")).toContainText(`client_id: "${spaId}"`);
  await expect(page.locator("#client-snippet")).toContainText("https://rounds.e2e.example/callback");

  // A machine client: its secret is shown once.
  await page.getByRole("link", { name: "Ward rounds" }).click();
  await page.getByLabel(/^Machine to machine/).check();
  await page.getByLabel("Name", { exact: true }).first().fill("Rounds backend");
  await page.getByLabel("openid").uncheck();
  await page.getByLabel("rounds_data.read").check();
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rounds backend");
  const clientId = (await page.locator("#client-id").textContent())!.trim();
  const secret = (await page.locator("#client-secret").textContent())!.trim();
  expect(secret.length).toBeGreaterThanOrEqual(43);
  await expect(page.locator("#client-curl")).toContainText("grant_type=client_credentials");

  const token = await request.post("/token", {
    form: { grant_type: "client_credentials", scope: "rounds_data.read" },
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` },
  });
  expect(token.status()).toBe(200);
  const claims = JSON.parse(Buffer.from((await token.json()).access_token.split(".")[1], "base64url").toString());
  expect(claims.scp).toEqual(["rounds_data.read"]);
  expect(claims.aud).toBe("rounds");

  // Shown once: reloading the page shows it without the secret.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rounds backend");
  await expect(page.locator("#client-secret")).toHaveCount(0);
  await page.goto(`/portal/clients/${clientId}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rounds backend");
  await expect(page.locator("#client-secret")).toHaveCount(0);
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});

test("a developer gives a program an initial access token, the program registers a client, and the API reference lists every operation", async ({ page, request }) => {
  const errors = watchConsole(page);
  await page.goto("/signin?return_to=/portal");
  await signInWithPassword(page, DEVELOPER, DEVELOPER_PASSWORD);
  await page.getByRole("link", { name: "Ward app" }).click();
  await expect(page.getByRole("heading", { name: "Dynamic client registration" })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("Who it is for").fill("Ward 3 rollout");
  await page.getByLabel("Valid for (days, 1 to 30)").fill("0");
  await page.getByRole("button", { name: "Make an initial access token" }).click();
  await expect(page.locator("#registration-days-error")).toHaveText("from 1 minute to 30 days (2592000 seconds)");
  await expect(page.getByLabel("Valid for (days, 1 to 30)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Who it is for")).toHaveValue("Ward 3 rollout");

  await page.getByLabel("Valid for (days, 1 to 30)").fill("7");
  await page.getByLabel("Clients it may register (1 to 1000)").fill("1");
  await page.getByRole("button", { name: "Make an initial access token" }).click();
  const token = (await page.locator("#initial-access-token").textContent())!.trim();
  expect(token.length).toBeGreaterThanOrEqual(43);
  // Reloading shows the page without the token and makes no second one.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Dynamic client registration" })).toBeVisible();
  await expect(page.locator("#initial-access-token")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Revoke Ward 3 rollout" })).toHaveCount(1);

  // The program registers with the token (RFC 7591), then reads its
  // registration with the registration access token (RFC 7592).
  const registered = await request.post("/oauth2/register", {
    headers: { Authorization: `Bearer ${token}` },
    data: { client_name: "Ward 3 board", redirect_uris: ["https://ward3.e2e.example/cb"] },
  });
  expect(registered.status()).toBe(201);
  const client = await registered.json();
  expect(client.client_secret.length).toBeGreaterThanOrEqual(43);
  const read = await request.get(new URL(client.registration_client_uri).pathname, {
    headers: { Authorization: `Bearer ${client.registration_access_token}` },
  });
  expect((await read.json()).client_name).toBe("Ward 3 board");
  const spent = await request.post("/oauth2/register", {
    headers: { Authorization: `Bearer ${token}` },
    data: { redirect_uris: ["https://ward3.e2e.example/cb"] },
  });
  expect(spent.status()).toBe(401);

  // The page lists the token as used up; the new client is the app's.
  await page.getByRole("link", { name: "Back to the portal" }).click();
  await page.getByRole("link", { name: "Ward app" }).click();
  await expect(page.getByText("Ward 3 rollout", { exact: true })).toBeVisible();
  await expect(page.getByText("1/1 clients registered · expired or used up")).toBeVisible();
  await expect(page.getByRole("link", { name: "Ward 3 board" })).toBeVisible();

  // The reference, reached from the portal.
  await page.goto("/portal");
  await page.getByRole("link", { name: "Management API reference" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Sanus management API");
  await expect(page.locator("#createInitialAccessToken")).toContainText("/api/v1/applications/{id}/initial-access-tokens");
  await page.getByRole("link", { name: "POST /api/v1/applications/{id}/clients" }).click();
  await expect(page).toHaveURL(/#createClient$/);
  await expect(page.locator("#schema-ClientRegistration")).toBeVisible();
  const document = await request.get("/api/v1/openapi.json");
  expect((await document.json()).openapi).toBe("3.1.0");
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});
