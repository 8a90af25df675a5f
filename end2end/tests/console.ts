import type { Page } from "@playwright/test";

/** A refused form comes back as 422 with its errors: Chromium logs that, and it is no fault. */
const REFUSED_FORM = /^Failed to load resource: the server responded with a status of 422/;

/** Collects console errors and page errors (a CSP violation, a hydration panic): a test expects none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !REFUSED_FORM.test(message.text())) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
