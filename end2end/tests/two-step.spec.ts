// Two-step sign-in as a person sets it up: in the account console they
// scan (here: read) the key, confirm with the app's code, save the recovery
// codes, and from then on an app's sign-in asks for the code after the
// password. The authenticator app is played by an RFC 6238 generator.
import { test, expect } from "@playwright/test";
import { createHmac } from "node:crypto";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";

const EMAIL = "twostep@e2e.example";
const PASSWORD = "twostep-correct-horse-battery";

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** The six-digit code an authenticator app shows `offsetSeconds` from now. */
function totp(key: string, offsetSeconds = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offsetSeconds) / 30)));
  const mac = createHmac("sha1", base32Decode(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

test("set up an authenticator app, then sign in to an app with its code", async ({ page }) => {
  const errors = watchConsole(page);
  const callbacks: URL[] = [];
  await page.route("https://ward.e2e.example/**", (route) => {
    callbacks.push(new URL(route.request().url()));
    return route.fulfill({ status: 200, body: "callback" });
  });

  await page.goto("/signin");
  await signInWithPassword(page, EMAIL, PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  const twoStep = page.getByRole("region", { name: "Two-step sign-in" });
  await twoStep.getByLabel("Current password, to confirm").fill(PASSWORD);
  await twoStep.getByRole("button", { name: "Set up an authenticator app" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up an authenticator app");
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  const key = (await page.locator("#totp-key").textContent()) ?? "";
  expect(key.replace(/\s/g, "")).toHaveLength(32);
  await page.getByLabel("Code from the app").fill(totp(key, -120));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await page.getByLabel("Code from the app").fill(totp(key));
  await page.getByRole("button", { name: "Turn on" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Save your recovery codes");
  await expect(page.locator("#recovery-codes li")).toHaveCount(10);
  await page.getByRole("link", { name: "I have saved them" }).click();
  await expect(twoStep).toContainText("On: signing in asks for a code");
  await expect(twoStep).toContainText("10 of 10 recovery codes left");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();

  // An app's sign-in: the password, then the code (the next one: the
  // confirming code is spent, and one step of clock skew is allowed).
  await page.goto(wardAuthorize("two-step", { acr_values: "urn:sanus:acr:mfa" }));
  await signInWithPassword(page, EMAIL, PASSWORD);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("One more step");
  await page.getByLabel("Code").fill(totp(key, 30));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
  await page.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => callbacks.length).toBe(1);
  expect(callbacks[0].searchParams.get("state")).toBe("two-step");
  expect(callbacks[0].searchParams.get("code")).toBeTruthy();
  expect(errors, "no CSP violation or hydration error").toEqual([]);
});
