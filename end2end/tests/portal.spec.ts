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

  // Shown once: the client's page has no secret, and neither has the
  // address the form was posted to.
  await page.goto(`/portal/clients/${clientId}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Rounds backend");
  await expect(page.locator("#client-secret")).toHaveCount(0);
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});
