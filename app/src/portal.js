// The browser side of the developer portal: whether a short key is free,
// asked of the management API as the developer types. Resolves to "free",
// "taken", "malformed" or "unknown" (the answer could not be had).

export async function keyAvailability(key) {
  try {
    const response = await fetch(`/api/v1/applications/key-available?short_key=${encodeURIComponent(key)}`, {
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return "unknown";
    const answer = await response.json();
    if (answer.short_key !== key) return "unknown";
    if (!answer.valid) return "malformed";
    return answer.available ? "free" : "taken";
  } catch {
    return "unknown";
  }
}
