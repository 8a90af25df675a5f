// A physician fills in her professional profile: a mistyped LANR is caught
// as she types (the server's own Rust rules, running in the browser), the
// right one names its specialty group. She uploads her licence and submits
// it; a verifier approves it in the queue; an app that signs in with
// `professional_profile` receives the fields she shares as verified_claims.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole } from "./console";
import { signInWithPassword, wardAuthorize } from "./flows";
import { mailMatch } from "./mail";

const PHYSICIAN = "physician@e2e.example";
const PHYSICIAN_PASSWORD = "physician-correct-horse-battery";
const VERIFIER_EMAIL = "verifier@e2e.example";
const VERIFIER_PASSWORD = "verifier-correct-horse-battery";
const CODE_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PDF = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

test("a physician is checked as she types, verified by a verifier, and an app receives verified_claims", async ({ browser, request }) => {
  const doctor = await (await browser.newContext()).newPage();
  const errors = watchConsole(doctor);
  await doctor.goto("/signin?return_to=/account/profession");
  await signInWithPassword(doctor, PHYSICIAN, PHYSICIAN_PASSWORD);
  await expect(doctor.getByRole("heading", { level: 1 })).toHaveText("Professional profile");
  await doctor.getByLabel("Choose your profession").selectOption("physician");
  await doctor.getByRole("button", { name: "Show its fields" }).click();
  await hydrated(doctor);

  // Wrong, then right: the message follows the typing.
  const lanr = doctor.getByLabel("LANR (lifelong physician number)");
  await lanr.fill("123456701");
  await expect(doctor.locator("#check-lanr")).toContainText("The check digit should be 6");
  await expect(lanr).toHaveAttribute("aria-invalid", "true");
  await lanr.fill("123456601");
  await expect(doctor.locator("#check-lanr")).toHaveText("Specialty group 01: General practice");
  await expect(lanr).not.toHaveAttribute("aria-invalid", "true");
  await doctor.getByLabel("Chamber", { exact: true }).selectOption("bayern");
  await doctor.getByLabel("Workplace").fill("Praxis Petra Praxis, München");
  await doctor.getByRole("button", { name: "Save profile" }).click();
  await expect(doctor.getByRole("status")).toHaveText("Your professional profile was saved.");
  await expect(doctor.locator("#profession-status")).toHaveText("Checked automatically");

  await doctor.getByLabel("Document", { exact: true }).setInputFiles({ name: "approbation.pdf", mimeType: "application/pdf", buffer: PDF });
  await doctor.getByRole("button", { name: "Upload" }).click();
  await expect(doctor.getByRole("status")).toHaveText("The document was uploaded.");
  await expect(doctor.getByRole("link", { name: "approbation.pdf" })).toBeVisible();
  await doctor.getByRole("button", { name: "Submit for verification" }).click();
  await expect(doctor.getByRole("status")).toHaveText("Your profile was submitted for verification. We will write to you.");
  await expect(doctor.locator("#profession-status")).toHaveText("Waiting for a verifier");
  await mailMatch(PHYSICIAN, /waiting for a verifier/);
  expect(errors, "no CSP violation or hydration error").toEqual([]);

  // The verifier works the queue.
  const verifierContext = await browser.newContext();
  const verifier = await verifierContext.newPage();
  const verifierErrors = watchConsole(verifier);
  await verifier.goto("/signin?return_to=/verify");
  await signInWithPassword(verifier, VERIFIER_EMAIL, VERIFIER_PASSWORD);
  await expect(verifier.getByRole("heading", { level: 1 })).toHaveText("Verification queue");
  await verifier.getByRole("link", { name: PHYSICIAN }).click();
  await expect(verifier.getByRole("heading", { level: 1 })).toHaveText(PHYSICIAN);
  await expect(verifier.getByText("Specialty group 01: General practice")).toBeVisible();
  await expect(verifier.getByRole("link", { name: "approbation.pdf" })).toBeVisible();
  // Rejecting needs a reason.
  await verifier.getByRole("button", { name: "Reject" }).click();
  await expect(verifier.locator("#reason-error")).toHaveText("Say why you reject the profile: the person reads it.");
  await verifier.getByRole("button", { name: "Approve" }).click();
  await expect(verifier.getByRole("status")).toHaveText("The profile is verified. The person was told.");
  await expect(verifier.locator("#case-state")).toHaveText("Verified");
  expect(verifierErrors).toEqual([]);
  await verifierContext.close();
  await mailMatch(PHYSICIAN, /A verifier confirmed your professional profile/);

  await doctor.reload();
  await expect(doctor.locator("#profession-status")).toHaveText("Verified");

  // An app asks for the profile: she keeps her workplace to herself.
  const callbacks: URL[] = [];
  await doctor.route("https://ward.e2e.example/**", (route) => {
    callbacks.push(new URL(route.request().url()));
    return route.fulfill({ status: 200, body: "callback" });
  });
  await doctor.goto(wardAuthorize("prof", { scope: "openid profession professional_profile" }));
  await expect(doctor.getByText("Professional details this app receives")).toBeVisible();
  await expect(doctor.getByLabel(/^LANR/)).toBeChecked();
  await doctor.getByLabel(/^Workplace/).uncheck();
  await doctor.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => callbacks.length).toBe(1);
  const tokens = await request.post("/token", {
    form: {
      grant_type: "authorization_code",
      code: callbacks[0].searchParams.get("code")!,
      redirect_uri: "https://ward.e2e.example/callback",
      code_verifier: CODE_VERIFIER,
      client_id: "ward-spa",
    },
  });
  expect(tokens.status()).toBe(200);
  const idToken = JSON.parse(Buffer.from((await tokens.json()).id_token.split(".")[1], "base64url").toString());
  expect(idToken.profession).toBe("physician");
  expect(idToken.profession_status).toBe("verified");
  expect(idToken.lanr).toBe("123456601");
  expect(idToken.workplace).toBeUndefined();
  expect(idToken.verified_claims.claims).toEqual({ profession: "physician", lanr: "123456601", chamber: "bayern" });
  expect(idToken.verified_claims.verification.trust_framework).toBe("sanus_professional");
  expect(errors).toEqual([]);
});
