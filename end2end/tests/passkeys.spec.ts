// Passkeys as a person uses them, with Chromium's virtual authenticator
// (DevTools protocol, WebAuthn domain) standing in for a phone or a
// security key: add one in the account console, then sign in to an app
// with it alone, no e-mail and no password, even where the app demands
// two factors; finally remove it.
import { test, expect } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";

const EMAIL = "passkey@e2e.example";
const PASSWORD = "passkey-correct-horse-battery";

test("add a passkey, sign in to an app with it alone, remove it", async ({ page }) => {
  const errors = watchConsole(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const callbacks: URL[] = [];
  await page.route("https://ward.e2e.example/**", (route) => {
    callbacks.push(new URL(route.request().url()));
    return route.fulfill({ status: 200, body: "callback" });
  });

  await page.goto("/signin");
  await signInWithPassword(page, EMAIL, PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  const passkeys = page.getByRole("region", { name: "Passkeys" });
  await expect(passkeys).toContainText("No passkeys yet");
  await passkeys.getByLabel("Name of the new passkey").fill("Work laptop");
  await passkeys.getByLabel("Current password, to confirm").fill(PASSWORD);
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status")).toContainText("The passkey is added");
  await expect(passkeys).toContainText("Work laptop");
  await expect(passkeys).toContainText("not used yet");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();

  // An app that demands two factors: the passkey alone is enough.
  await page.goto(wardAuthorize("passkey", { acr_values: "urn:sanus:acr:mfa" }));
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
  await page.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => callbacks.length).toBe(1);
  expect(callbacks[0].searchParams.get("state")).toBe("passkey");
  // The callback is requested before it loads: leave only once it has, or
  // the next navigation may be cut short by it.
  await page.waitForURL((url) => url.hostname === "ward.e2e.example");

  await page.goto("/account");
  await expect(passkeys).toContainText("last used");
  // Removing it takes the password too: a session alone removes no way in.
  await passkeys.getByLabel("Current password, to remove it").fill(PASSWORD);
  await passkeys.getByRole("button", { name: "Remove passkey" }).click();
  await expect(page.getByRole("status")).toContainText("The passkey is removed");
  await expect(passkeys).toContainText("No passkeys yet");
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});
