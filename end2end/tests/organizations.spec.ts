// An Admin builds an organisation: creates it, adds a department, invites a
// person by e-mail; the person registers from the mailed link (with
// JavaScript off) and appears as a member; then the Admin signs in to an
// app and its ID token carries the organisation claims.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";
import { mailMatch } from "./mail";

const ADMIN = "orgadmin@e2e.example";
const ADMIN_PASSWORD = "orgadmin-correct-horse-battery";
const NEWCOMER = "new.nurse@e2e.example";
const NEWCOMER_PASSWORD = "saffron pelican 77 dune";
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

test("create an organisation, invite a new person who registers from the mail, and see the claims", async ({ browser, request }) => {
  const admin = await (await browser.newContext()).newPage();
  const errors = watchConsole(admin);

  await admin.goto("/signin?return_to=/orgs");
  await signInWithPassword(admin, ADMIN, ADMIN_PASSWORD);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Your organisations");
  await hydrated(admin);
  await expect(admin.getByText("You are not a member of any organisation yet.")).toBeVisible();

  // A name is required, and the refusal says so at the field.
  await admin.getByLabel("Name", { exact: true }).fill("   ");
  await admin.getByRole("button", { name: "Create organisation" }).click();
  await expect(admin.locator("#org-name-error")).toHaveText("Enter a name.");
  await expect(admin.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await admin.getByLabel("Name", { exact: true }).fill("Klinikum E2E");
  await admin.getByRole("button", { name: "Create organisation" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Klinikum E2E");
  await expect(admin.getByRole("status")).toHaveText("Your organisation is ready. You are its Admin.");
  await hydrated(admin);
  const orgPath = new URL(admin.url()).pathname;

  await admin.getByLabel("Name of a new department").fill("Kardiologie");
  await admin.getByRole("button", { name: "Add department" }).click();
  await expect(admin.getByRole("link", { name: "Kardiologie" })).toBeVisible();

  const invite = admin.locator(`form[action="${orgPath}/invitations"]`);
  await invite.getByLabel("E-mail address").fill(NEWCOMER);
  await invite.getByLabel(/^Contributor/).check();
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.getByRole("status")).toHaveText("The invitation is on its way.");
  await expect(admin.getByRole("button", { name: `Withdraw ${NEWCOMER}` })).toBeVisible();
  expect(errors, "no CSP violation or hydration error").toEqual([]);

  // The newcomer, without JavaScript, registers from the link in the mail.
  const [, link] = await mailMatch(NEWCOMER, /(\/invitations\/[A-Za-z0-9_-]+)/);
  const newcomerContext = await browser.newContext({ javaScriptEnabled: false });
  const newcomer = await newcomerContext.newPage();
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText("You are invited");
  await expect(newcomer.getByText("Create your account to join Klinikum E2E.")).toBeVisible();
  await expect(newcomer.getByLabel("E-mail address")).toHaveValue(NEWCOMER);
  await newcomer.getByLabel("Given name").fill("Nora");
  await newcomer.getByLabel("Password", { exact: true }).fill(NEWCOMER_PASSWORD);
  await newcomer.getByLabel("Password again").fill(NEWCOMER_PASSWORD);
  await newcomer.getByRole("button", { name: "Create account" }).click();
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText("Klinikum E2E");
  await expect(newcomer.getByRole("status")).toHaveText("Welcome! You are now a member.");
  await expect(newcomer.getByText("Your roles: Contributor, Reader")).toBeVisible();
  await newcomerContext.close();

  // The Admin sees the new member (searching for her).
  await admin.goto(orgPath);
  await admin.getByLabel("Address or name").fill("nora");
  await admin.getByRole("button", { name: "Show" }).click();
  await expect(admin.getByText("1–1 of 1")).toBeVisible();
  await expect(admin.getByRole("listitem").filter({ hasText: NEWCOMER })).toContainText("Contributor, Reader");

  // An app asks for the organisation scopes: the consent screen names them.
  const callbacks: URL[] = [];
  await admin.route("https://ward.e2e.example/**", (route) => {
    callbacks.push(new URL(route.request().url()));
    return route.fulfill({ status: 200, body: "callback" });
  });
  await admin.goto(wardAuthorize("orgs", { scope: "openid tenant_ids tenants permissions_core", prompt: "consent" }));
  await expect(admin.getByText("See the names of your organisations and departments")).toBeVisible();
  await admin.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => callbacks.length).toBe(1);
  const tokens = await request.post("/token", {
    form: {
      grant_type: "authorization_code",
      code: callbacks[0].searchParams.get("code")!,
      redirect_uri: "https://ward.e2e.example/callback",
      code_verifier: VERIFIER,
      client_id: "ward-spa",
    },
  });
  expect(tokens.status()).toBe(200);
  const idToken = JSON.parse(Buffer.from((await tokens.json()).id_token.split(".")[1], "base64url").toString());
  const orgId = orgPath.split("/").at(-1);
  expect(idToken.tenants).toEqual([
    { id: orgId, name: "Klinikum E2E", kind: "organization", children: [expect.objectContaining({ name: "Kardiologie" })] },
  ]);
  expect(idToken.root_tenant_ids).toEqual([orgId]);
  expect(idToken.default_tenant_id).toBe(orgId);
  expect(idToken.permissions_core[orgId!]).toContain("members.invite");

  // The app asks for an active tenant: she picks the department.
  await admin.goto(wardAuthorize("tenant", { scope: "openid tenant_ids tenants permissions_core", tenant_hint: "not-one-of-hers" }));
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Where are you working now?");
  await hydrated(admin);
  await admin.getByLabel("Klinikum E2E › Kardiologie").check();
  await admin.getByRole("button", { name: "Continue" }).click();
  await expect.poll(() => callbacks.length).toBe(2);
  const picked = await request.post("/token", {
    form: {
      grant_type: "authorization_code",
      code: callbacks[1].searchParams.get("code")!,
      redirect_uri: "https://ward.e2e.example/callback",
      code_verifier: VERIFIER,
      client_id: "ward-spa",
    },
  });
  const pickedToken = JSON.parse(Buffer.from((await picked.json()).access_token.split(".")[1], "base64url").toString());
  const department = idToken.tenants[0].children[0].id;
  expect(pickedToken.tenant_id).toBe(department);
  expect(errors).toEqual([]);
});
