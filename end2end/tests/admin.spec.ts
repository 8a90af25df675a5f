// The operators' console: an operator finds an account, locks it (the
// person can no longer sign in, and is told so), reads the lock in the
// audit log, and unlocks it again; in German too, and with the keyboard.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword } from "./flows";

const OPERATOR = "operator@e2e.example";
const OPERATOR_PASSWORD = "operator-correct-horse-battery";
const LOCKABLE = "lockable@e2e.example";
const LOCKABLE_PASSWORD = "lockable-correct-horse-battery";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

test("an operator locks an account, the person cannot sign in, the audit log shows it, and unlocking restores it", async ({ browser }) => {
  const operator = await (await browser.newContext()).newPage();
  const errors = watchConsole(operator);
  await operator.goto("/signin?return_to=/admin");
  await signInWithPassword(operator, OPERATOR, OPERATOR_PASSWORD);
  await expect(operator.getByRole("heading", { level: 1 })).toHaveText("Operations");
  await hydrated(operator);

  // Find the account by a part of its name.
  await operator.getByRole("link", { name: "Accounts" }).click();
  await expect(operator.getByRole("heading", { level: 1 })).toHaveText("Accounts");
  await operator.getByLabel("E-mail, name or organisation").fill("sperrbar");
  await operator.getByLabel("E-mail, name or organisation").press("Enter");
  await expect(operator.getByRole("link", { name: LOCKABLE })).toBeVisible();
  await expect(operator.getByRole("link", { name: "jane@e2e.example" })).toHaveCount(0);
  await operator.getByRole("link", { name: LOCKABLE }).click();
  await expect(operator.getByRole("heading", { level: 1 })).toHaveText(LOCKABLE);
  await hydrated(operator);

  // Lock it, by keyboard: the reason field, then the button.
  const reason = operator.getByLabel("Why lock this account?");
  await reason.fill("Credentials seen in a phishing report (ticket 4711).");
  await reason.press("Tab");
  await expect(operator.getByRole("button", { name: "Lock the account" })).toBeFocused();
  await operator.keyboard.press("Enter");
  await expect(operator.getByRole("status")).toHaveText("The account is locked; its sessions ended.");
  await expect(operator.getByText("Credentials seen in a phishing report (ticket 4711).")).toBeVisible();

  // The person, with the right password, is told the account is locked.
  const person = await (await browser.newContext()).newPage();
  await person.goto("/signin?return_to=/account");
  await signInWithPassword(person, LOCKABLE, LOCKABLE_PASSWORD);
  await expect(person.getByRole("alert")).toContainText("This account is locked");
  await expect(person.getByRole("heading", { level: 1 })).toHaveText("Sign in");

  // The audit log, narrowed to the operators' actions, names the lock.
  await operator.goto("/admin/audit");
  await operator.getByLabel("Kind").fill("operator");
  await operator.getByRole("button", { name: "Filter" }).click();
  await expect(operator).toHaveURL(/kind=operator/);
  const row = operator.getByRole("row").filter({ hasText: "operator.account_locked" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(LOCKABLE);
  await expect(row).toContainText("ticket 4711");

  // In German, the account page says the same; unlocking lets the person in.
  await operator.getByRole("link", { name: LOCKABLE }).first().click();
  await hydrated(operator);
  await operator.getByRole("button", { name: "Deutsch" }).click();
  await expect(operator.getByRole("button", { name: "Konto entsperren" })).toBeVisible();
  await operator.getByRole("button", { name: "Konto entsperren" }).click();
  await expect(operator.getByRole("status")).toHaveText("Das Konto ist entsperrt.");

  await signInWithPassword(person, LOCKABLE, LOCKABLE_PASSWORD);
  await expect(person.getByRole("heading", { level: 1 })).toHaveText("Your account");
  expect(errors).toEqual([]);
});

test("the console is closed to people who are not operators", async ({ page }) => {
  await page.goto("/signin?return_to=/admin/users");
  await signInWithPassword(page, "jane@e2e.example", "jane-correct-horse-battery");
  await expect(page.getByText("Only operators can see this page.")).toBeVisible();
});
