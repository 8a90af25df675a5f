// The UI shell in a real browser: hydration, the language switch with and
// without JavaScript, navigation, the 404 page, keyboard access.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";


async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

test("home page hydrates and switches language in place", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("One account for everyone in health care");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page).toHaveTitle("Sanus – identity for digital health");
  await hydrated(page);

  // A marker on window survives only if no page load happens.
  await page.evaluate(() => ((window as unknown as { sanusMarker: number }).sanusMarker = 42));
  await page.getByRole("button", { name: "Deutsch" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ein Konto für alle im Gesundheitswesen");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  // The title too, though the server renders it as a plain string.
  await expect(page).toHaveTitle("Sanus – Identität für die digitale Gesundheit");
  await expect(page.getByRole("button", { name: "Deutsch" })).toHaveAttribute("aria-pressed", "true");
  expect(await page.evaluate(() => (window as unknown as { sanusMarker?: number }).sanusMarker)).toBe(42);

  // Remembered: a fresh load comes back in German.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ein Konto für alle im Gesundheitswesen");
  await hydrated(page);
  expect(errors).toEqual([]);
});

test("language switch works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await page.getByRole("button", { name: "Deutsch" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Anmelden");
  await expect(page.getByLabel("E-Mail-Adresse")).toBeVisible();
  await context.close();
});

test("browser language decides the first page", async ({ browser }) => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("link", { name: "Anmelden" }).first()).toBeVisible();
  await context.close();
});

test("the sign-in link loads the labelled sign-in form", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page).toHaveTitle("Sign in – Sanus");
  await expect(page.getByLabel("E-mail address")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page.getByRole("link", { name: "Forgot your password?" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("keyboard users can skip to the content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("unknown address shows the 404 page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await hydrated(page);
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("One account for everyone in health care");
});
