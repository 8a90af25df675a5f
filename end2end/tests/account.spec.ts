// The account console as a person uses it: signed in to an app in one
// browser, they sign in to Sanus in another, see the app and the other
// session, sign the other browser out, remove the app's access, and change
// their details. Works the same with JavaScript off.
import { test, expect, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";

const EMAIL = "console@e2e.example";
const PASSWORD = "console-correct-horse-battery";
const AUTHORIZE = wardAuthorize("console-state");

/** A browser signed in to the Ward app (which then holds the consent). */
async function signedInToTheApp(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  let arrived = false;
  await context.route("https://ward.e2e.example/**", (route) => {
    arrived = true;
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Callback</h1>" });
  });
  const page = await context.newPage();
  await page.goto(AUTHORIZE);
  await signInWithPassword(page, EMAIL, PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
  await page.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => arrived).toBe(true);
  return page;
}

test("see and end another session, remove an app's access, and change the details", async ({ browser }) => {
  const app = await signedInToTheApp(browser);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/signin\?return_to=%2Faccount|\/signin\?return_to=\/account/);
  await signInWithPassword(page, EMAIL, "not the password at all");
  await expect(page.getByRole("alert")).toContainText("is not correct");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  const sessions = page.getByRole("region", { name: "Where you are signed in" });
  await expect(sessions.getByText("This browser")).toBeVisible();
  const apps = page.getByRole("region", { name: "Connected apps" });
  await expect(apps.getByText("Ward app", { exact: true })).toBeVisible();
  await expect(apps.getByText("See your e-mail address")).toBeVisible();

  await sessions.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByRole("status")).toContainText("All other sessions are signed out");
  await expect(sessions.getByRole("button", { name: "Sign out there" })).toHaveCount(0);
  // The app's browser is signed out of Sanus: it has to sign in again.
  await app.goto(AUTHORIZE);
  await expect(app.getByRole("heading", { level: 1 })).toHaveText("Sign in");

  await apps.getByRole("button", { name: /Remove access/ }).click();
  await expect(page.getByRole("status")).toContainText("access is removed");
  await expect(apps.getByText("not allowed any app")).toBeVisible();

  const profile = page.getByRole("region", { name: "Profile" });
  await profile.getByLabel("Given name").fill("Carlotta");
  await profile.getByLabel("Language").selectOption("de");
  await profile.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Your details are saved");
  await expect(profile.getByLabel("Given name")).toHaveValue("Carlotta");

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/signin/);
  expect(errors, "no CSP violation or hydration error").toEqual([]);
  await context.close();
});

test("the console hydrates and keeps its forms working", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/signin");
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  await signInWithPassword(page, "jane@e2e.example", "jane-correct-horse-battery");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  const password = page.getByRole("region", { name: "Password" });
  await password.getByLabel("Current password").fill("not my password at all");
  await password.getByLabel("New password", { exact: true }).fill("granite lupine 3315 fjord");
  await password.getByLabel("New password again").fill("granite lupine 3315 fjord");
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("alert")).toContainText("not your current password");
  await expect(password.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});

test("download my data, then delete the account (JavaScript off)", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto("/signin");
  await signInWithPassword(page, "leaving@e2e.example", "leaving-correct-horse-battery");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download my data" }).click();
  const file = await (await download).path();
  const data = JSON.parse(readFileSync(file, "utf8"));
  expect(data.account.email).toBe("leaving@e2e.example");

  const danger = page.getByRole("region", { name: "Delete your account" });
  await danger.getByLabel("Current password, to confirm").fill("leaving-correct-horse-battery");
  await danger.getByLabel("Yes, delete my account and everything in it").check();
  await danger.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is deleted");

  await page.goto("/signin");
  await signInWithPassword(page, "leaving@e2e.example", "leaving-correct-horse-battery");
  await expect(page.getByRole("alert")).toContainText("is not correct");
  expect(errors, "no CSP violation").toEqual([]);
  await context.close();
});
