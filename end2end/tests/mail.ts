// The mail Sanus sent, as the SMTP sink on loopback received it.
import { expect } from "@playwright/test";

type Received = { to: string[]; data: string };

/** The latest mail to `address` whose text matches `pattern` (quoted-printable undone); waits for it. */
export async function mailMatch(address: string, pattern: RegExp): Promise<RegExpMatchArray> {
  let found: RegExpMatchArray | null = null;
  await expect
    .poll(async () => {
      const messages: Received[] = await (await fetch(process.env.SANUS_E2E_MAILBOX!)).json();
      const mail = messages.filter((m) => m.to.includes(address)).at(-1);
      const text = mail?.data.replace(/=\r?\n/g, "").replace(/=3D/g, "=") ?? "";
      found = text.match(pattern);
      return found !== null;
    })
    .toBe(true);
  return found!;
}
