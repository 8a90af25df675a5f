// The browser side of passkeys: WebAuthn wants ArrayBuffers where the
// server speaks base64url JSON. Each function runs a whole ceremony (its
// two requests to Sanus and the authenticator in between) and resolves to
// the address the page goes to next; it rejects with an Error whose message
// is a short code ("cancelled", "not_accepted", "server_error", ...).

const toBuffer = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "===".slice((base64.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};

const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || "server_error");
  return answer;
}

async function ask(run) {
  try {
    return await run();
  } catch (error) {
    // The person closed the browser's dialog, or no passkey was there.
    if (error && error.name === "NotAllowedError") throw new Error("cancelled");
    throw error;
  }
}

export async function addPasskey(name, password) {
  const options = (await post("/account/passkeys/begin", { password })).publicKey;
  options.challenge = toBuffer(options.challenge);
  options.user.id = toBuffer(options.user.id);
  for (const credential of options.excludeCredentials || []) credential.id = toBuffer(credential.id);
  const created = await ask(() => navigator.credentials.create({ publicKey: options }));
  const credential = {
    id: created.id,
    rawId: toText(created.rawId),
    type: created.type,
    response: {
      attestationObject: toText(created.response.attestationObject),
      clientDataJSON: toText(created.response.clientDataJSON),
      transports: created.response.getTransports ? created.response.getTransports() : undefined,
    },
    extensions: created.getClientExtensionResults(),
  };
  return (await post("/account/passkeys/finish", { name, credential })).redirect;
}

export async function signInWithPasskey(interaction, returnTo) {
  const begin = { interaction: interaction || null, return_to: returnTo || null };
  const options = (await post("/signin/passkey/begin", begin)).publicKey;
  options.challenge = toBuffer(options.challenge);
  for (const credential of options.allowCredentials || []) credential.id = toBuffer(credential.id);
  const got = await ask(() => navigator.credentials.get({ publicKey: options }));
  const credential = {
    id: got.id,
    rawId: toText(got.rawId),
    type: got.type,
    response: {
      authenticatorData: toText(got.response.authenticatorData),
      clientDataJSON: toText(got.response.clientDataJSON),
      signature: toText(got.response.signature),
      userHandle: got.response.userHandle ? toText(got.response.userHandle) : null,
    },
    extensions: got.getClientExtensionResults(),
  };
  return (await post("/signin/passkey/finish", { credential })).redirect;
}
