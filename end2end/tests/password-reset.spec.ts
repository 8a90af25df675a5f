// A forgotten password, as a person goes through it: from the sign-in page
// of an authorization request to the mail (through a real SMTP server on
// loopback), the new password, and signing in with it.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";
import { mailMatch } from "./mail";

const AUTHORIZE = wardAuthorize("reset-state", { prompt: "login" });

/** The reset link of the latest mail to `address`. */
async function resetLink(address: string): Promise<string> {
  return (await mailMatch(address, /https?:\/\/[^\s"<>]+\/password\/reset\/[A-Za-z0-9_-]+/))[0];
}

async function hydratedIf(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

for (const javaScriptEnabled of [true, false]) {
  const address = `forgetful-${javaScriptEnabled ? "js" : "nojs"}@e2e.example`;
  const newPassword = `lantern orchard ${javaScriptEnabled ? "on" : "off"} 7319`;

  test(`reset a forgotten password from the sign-in page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.route("https://ward.e2e.example/**", (route) => route.fulfill({ status: 200, body: "callback" }));

    await page.goto(AUTHORIZE);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reset your password");
    await hydratedIf(page, javaScriptEnabled);
    await page.getByLabel("E-mail address").fill(address);
    await page.getByRole("button", { name: "Send the link" }).click();
    await expect(page.getByRole("status")).toContainText("If an account with this address exists");

    await page.goto(await resetLink(address));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
    await hydratedIf(page, javaScriptEnabled);
    await page.getByLabel("New password", { exact: true }).fill("qwertyuiop123!");
    await page.getByLabel("New password again").fill("qwertyuiop123!");
    await page.getByRole("button", { name: "Save the new password" }).click();
    await expect(page.getByRole("alert")).toContainText("one of the most common");
    await expect(page.getByLabel("New password", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await hydratedIf(page, javaScriptEnabled);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again").fill(newPassword);
    await page.getByRole("button", { name: "Save the new password" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your password is changed");

    // Back to the application: the new password signs in.
    await page.goto(AUTHORIZE);
    await signInWithPassword(page, address, newPassword);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
    expect(errors, "no CSP violation or hydration error").toEqual([]);
    await context.close();
  });
}
