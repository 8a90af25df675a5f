// End-to-end tests against the built `sanus` binary, in Debian's Chromium.
// scripts/test sets SANUS_BIN, SANUS_SITE_DIR and the ports SANUS_E2E_PORT,
// SANUS_E2E_SMTP_PORT and SANUS_E2E_MAILBOX_PORT; each run starts Sanus on
// its own fresh SQLite database, sending mail to smtp-sink.mjs.
import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const port = Number(process.env.SANUS_E2E_PORT ?? 3100);
// A host name, not an IP address: browsers allow passkeys only for domain
// names. The server still listens on 127.0.0.1 only.
const baseURL = `http://localhost:${port}`;
const bin = process.env.SANUS_BIN;
if (!bin) throw new Error("SANUS_BIN is not set: run the end-to-end tests through scripts/test");
const dataDir = mkdtempSync(join(tmpdir(), "sanus-e2e-"));
const smtpPort = Number(process.env.SANUS_E2E_SMTP_PORT ?? port + 1);
const mailboxPort = Number(process.env.SANUS_E2E_MAILBOX_PORT ?? port + 2);
/** Where the tests read the mail Sanus sent (see tests/mail.ts). */
process.env.SANUS_E2E_MAILBOX = `http://127.0.0.1:${mailboxPort}/messages`;

export default defineConfig({
  testDir: "./tests",
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  // The whole run: a hang fails here instead of holding CI.
  globalTimeout: 10 * 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    browserName: "chromium",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: "exec node smtp-sink.mjs",
      url: process.env.SANUS_E2E_MAILBOX,
      reuseExistingServer: false,
      timeout: 10_000,
      env: { SMTP_PORT: String(smtpPort), MAILBOX_PORT: String(mailboxPort) },
    },
    {
    // A fresh database with the fixture directory, then the server.
    command: `${bin} import fixtures/import.toml && ${bin} admin grant verifier@e2e.example verifier && ${bin} admin grant operator@e2e.example operator && exec ${bin} serve`,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      SANUS__SERVER__BIND: `127.0.0.1:${port}`,
      SANUS__SERVER__PUBLIC_URL: baseURL,
      SANUS__SERVER__DATA_DIR: dataDir,
      SANUS__SERVER__SITE_DIR: process.env.SANUS_SITE_DIR ?? "../site",
      SANUS__LOG__FILTER: "warn",
      SANUS__MAIL__SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    },
    },
  ],
});
