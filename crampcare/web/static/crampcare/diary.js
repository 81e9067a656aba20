// crampcare: the cramp diary. Everything works without JavaScript (type the numbers, select
// the link's text to copy it); this adds the +/- buttons of the number steppers and the
// "Copy" button of a new diary link.

for (const button of document.querySelectorAll("button.step[aria-controls]")) {
  const input = document.getElementById(button.getAttribute("aria-controls"));
  if (!input) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const low = Number(input.min || 0);
    const high = Number(input.max || Infinity);
    const now = Number(input.value);
    const step = Number(button.dataset.step);
    // an empty or unreadable field starts at the lowest value
    const next = input.value === "" || !Number.isFinite(now) ? low : Math.min(high, Math.max(low, now + step));
    input.value = String(next);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy"); // older browsers, or a page not served over HTTPS
    }
    button.textContent = "Copied";
  });
}
