// A new person, as they go through it: from the sign-in page of an
// authorization request to the registration form, the code in the mail
// (through a real SMTP server on loopback), back to the application, and
// signing in again with the new password.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";
import { mailMatch } from "./mail";

function authorize(state: string, prompt?: string) {
  return wardAuthorize(state, prompt ? { prompt } : {});
}

async function hydratedIf(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "on" : "off";
  const address = `newcomer-${mode}@e2e.example`;
  const password = `copper heron ${mode} willow 58`;

  test(`register, confirm the address with the mailed code, and sign in (JavaScript ${mode})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchConsole(page);
    const callbacks: URL[] = [];
    await page.route("https://ward.e2e.example/**", (route) => {
      callbacks.push(new URL(route.request().url()));
      return route.fulfill({ status: 200, body: "callback" });
    });

    await page.goto(authorize(`register-${mode}`));
    await hydratedIf(page, javaScriptEnabled);
    await page.getByRole("link", { name: "No account yet? Create one" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Create your Sanus account");
    await hydratedIf(page, javaScriptEnabled);

    // A refused form keeps what was typed and says what to fix, at the field.
    await page.getByLabel("E-mail address").fill(address);
    await page.getByLabel("Given name").fill("Nora");
    await page.getByLabel("Password", { exact: true }).fill("password1234");
    await page.getByLabel("Password again").fill("password1234");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("alert")).toContainText("Correct the marked fields");
    await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#new-password-error")).toContainText("one of the most common");
    await expect(page.getByLabel("E-mail address")).toHaveValue(address);
    await hydratedIf(page, javaScriptEnabled);

    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Password again").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check your mail");
    await hydratedIf(page, javaScriptEnabled);

    const [, first, second] = await mailMatch(address, /Subject: Your Sanus code: (\d{3}) (\d{3})/);
    await page.getByLabel("Code from the mail").fill(first === "000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText("That code is not right. 4 more tries");
    await hydratedIf(page, javaScriptEnabled);
    await page.getByLabel("Code from the mail").fill(`${first} ${second}`);
    await page.getByRole("button", { name: "Confirm", exact: true }).click();

    // Back in the authorization request, signed in: only the consent is left.
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Ward app wants to:");
    await page.getByRole("button", { name: "Allow" }).click();
    await expect.poll(() => callbacks.length).toBe(1);
    // The callback is requested before it loads: leave only once it has, or
    // the next navigation may be cut short by it.
    await page.waitForURL((url) => url.hostname === "ward.e2e.example");
    expect(callbacks[0].searchParams.get("code")).toBeTruthy();
    expect(callbacks[0].searchParams.get("state")).toBe(`register-${mode}`);

    // Later, with the password: the consent is remembered.
    await page.goto(authorize(`again-${mode}`, "login"));
    await signInWithPassword(page, address, password);
    await expect.poll(() => callbacks.length).toBe(2);
    expect(callbacks[1].searchParams.get("state")).toBe(`again-${mode}`);
    expect(errors, "no CSP violation or hydration error").toEqual([]);
    await context.close();
  });
}
