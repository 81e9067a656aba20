// crampcare: the session page and the treatment rooms, in plain ES modules (no build step).
//
// - The needle counter, the retention timer's start and stop, and the contact toggle are forms
//   that work without JavaScript; here they call the JSON API instead (with the CSRF token in
//   X-CSRFToken) and update the page without reloading it.
// - Every retention timer ([data-timer]) counts from the start time the server stored, read
//   with Date.now() at every tick: a reload, a background tab or a locked screen cannot make it
//   drift. A dedicated worker ticks (its timers are not throttled like a background tab's), and
//   the page ticks again whenever it becomes visible.
// - When a timer reaches its minimum and again its maximum it alerts: a banner (role=alert),
//   a flashing page title, a beep (Web Audio API) and a notification where permitted. Each
//   alert sounds once per tab (sessionStorage); after a reload the banner is shown silently.

const root = document.getElementById("session");
const baseTitle = document.title;
const CLOCK_SKEW_IGNORED_MS = 2000; // below this, a difference is page-load time, not a wrong clock

// --- the JSON API --------------------------------------------------------------------------

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return (root && root.dataset.csrf) || (field ? field.value : "");
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data && data.error ? data.error : `the server answered ${response.status}`;
    throw new Error(message);
  }
  return data;
}

function showError(message) {
  const box = document.getElementById("api-error");
  if (!box) return;
  box.textContent = message ? `Not saved: ${message}` : "";
  box.hidden = !message;
}

// --- needle counter, contact, timer start and stop ------------------------------------------

function balanceText(inserted, removed) {
  if (inserted === removed) return `In and out match: ${inserted} in, ${removed} out.`;
  if (inserted > removed) {
    const left = inserted - removed;
    return `${left} needle${left === 1 ? "" : "s"} still in.`;
  }
  return `${removed - inserted} more out than in: check the count.`;
}

function showNeedles(session) {
  const { inserted, removed } = session.needles;
  document.getElementById("count-in").textContent = inserted;
  document.getElementById("count-out").textContent = removed;
  const balance = document.getElementById("needle-balance");
  balance.textContent = balanceText(inserted, removed);
  balance.classList.toggle("mismatch", inserted !== removed);
}

function showContact(session, form) {
  const open = session.contact.open;
  const state = document.getElementById("contact-state");
  state.dataset.open = open ? "true" : "false";
  state.replaceChildren();
  const strong = document.createElement("strong");
  strong.textContent = open ? "With the patient" : "Out of the room";
  state.append(strong, open ? ` since ${open.start}` : "");
  form.querySelector("input[name=action]").value = open ? "leave" : "enter";
  document.getElementById("contact-toggle").textContent = open ? "Left room" : "With patient";
  const list = document.getElementById("contact-intervals");
  list.replaceChildren(
    ...session.contact.intervals.map((c) => {
      const item = document.createElement("li");
      const extra = (c.electrical ? " · electrical" : "") + (c.reinsertion ? " · re-insertion" : "");
      item.textContent = `${c.start}–${c.end}${extra}`;
      return item;
    }),
  );
}

function showRetention(session, form) {
  const timer = document.querySelector("#timer [data-timer]");
  const { started_at: started, ended_at: ended } = session.retention;
  timer.dataset.startedAt = started || "";
  timer.dataset.endedAt = ended || "";
  timer.dataset.phase = ended ? "ended" : started ? "running" : "waiting";
  if (ended) {
    form.remove();
    timer.querySelector("[data-countdown]").textContent = "Ended";
    timer.querySelector("[data-countdown-label]").textContent = "";
  } else if (started) {
    form.querySelector("input[name=action]").value = "end";
    const button = form.querySelector("button");
    button.textContent = "Stop timer: needles coming out";
    button.className = "button quiet";
    button.id = "timer-end";
  }
  tickAll();
}

const SHOW = { needles: showNeedles, contact: showContact, retention: showRetention };

function bodyOf(kind, data) {
  if (kind === "needles") return { which: data.get("which"), delta: Number(data.get("delta")) };
  if (kind === "contact") {
    return {
      action: data.get("action"),
      electrical: data.has("electrical"),
      reinsertion: data.has("reinsertion"),
    };
  }
  return { action: data.get("action") };
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  const kind = form.dataset ? form.dataset.api : undefined;
  if (!root || !SHOW[kind]) return;
  event.preventDefault();
  unlockAudio();
  const body = bodyOf(kind, new FormData(form));
  if (kind === "retention" && body.action === "start") askToNotify();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const session = await post(`/api/v1/sessions/${root.dataset.sessionId}/${kind}`, body);
    showError("");
    SHOW[kind](session, form);
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
});

// --- sound and notifications ----------------------------------------------------------------

let audio = null;

function unlockAudio() {
  // browsers let a page make sound only after the user touched it: prepare on the first touch
  try {
    if (!audio) audio = new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null;
  }
}

function beep(count) {
  if (!audio) return;
  const start = audio.currentTime + 0.05;
  for (let i = 0; i < count; i += 1) {
    const at = start + i * 0.4;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.3);
  }
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
}

function askToNotify() {
  if ("Notification" in window && Notification.permission === "default") {
    Notification.requestPermission().then(showNotifyButton, () => {});
  }
}

function showNotifyButton() {
  const button = document.getElementById("notify");
  if (button) button.hidden = !("Notification" in window) || Notification.permission !== "default";
}

function notify(title, text, tag) {
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      new Notification(title, { body: text, tag, requireInteraction: true });
    } catch {
      // some browsers allow notifications only from a service worker: the banner and sound remain
    }
  }
}

// --- the page title flashes until someone touches the page ----------------------------------

let flashing = "";

function flashTitle(text) {
  flashing = text;
}

function flashTick(tick) {
  if (!flashing) return;
  document.title = tick % 2 ? `⏰ ${flashing}` : baseTitle;
}

function stopFlashing() {
  flashing = "";
  document.title = baseTitle;
}

// --- retention timers ------------------------------------------------------------------------

function clock(seconds) {
  const whole = Math.floor(Math.abs(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

function skew(timer) {
  // the server's clock minus the tablet's, measured when the timer was first seen
  if (timer.dataset.skew === undefined) {
    const server = Date.parse(timer.dataset.serverNow);
    const difference = Number.isNaN(server) ? 0 : server - Date.now();
    timer.dataset.skew = String(Math.abs(difference) > CLOCK_SKEW_IGNORED_MS ? difference : 0);
  }
  return Number(timer.dataset.skew);
}

function alertOnce(timer, which, minutes) {
  const label = timer.dataset.label;
  const text =
    which === "min"
      ? `${label}: minimum retention reached (${minutes} min): the needles may come out.`
      : `${label}: maximum retention reached (${minutes} min): remove the needles now.`;
  const banner = timer.querySelector("[data-timer-alert]");
  if (banner.dataset.shown !== which) {
    banner.textContent = text;
    banner.dataset.shown = which;
    banner.hidden = false;
  }
  const key = `crampcare-alert:${timer.dataset.sessionId}:${timer.dataset.startedAt}:${which}`;
  if (sessionStorage.getItem(key)) return;
  sessionStorage.setItem(key, "1");
  beep(which === "min" ? 2 : 4);
  flashTitle(which === "min" ? `Minimum reached: ${label}` : `Remove needles: ${label}`);
  notify(which === "min" ? "Minimum retention reached" : "Maximum retention reached", text, key);
}

function tick(timer) {
  const started = Date.parse(timer.dataset.startedAt);
  if (Number.isNaN(started) || timer.dataset.endedAt) return;
  const elapsed = (Date.now() + skew(timer) - started) / 1000;
  const low = Number(timer.dataset.minSeconds);
  const high = Number(timer.dataset.maxSeconds);
  const { minMinutes, maxMinutes } = timer.dataset;
  let phase;
  let value;
  let label;
  if (elapsed < low) {
    [phase, value, label] = ["before", clock(low - elapsed), `until the minimum (${minMinutes} min)`];
  } else if (elapsed < high) {
    [phase, value, label] = ["window", clock(high - elapsed), `left until the maximum (${maxMinutes} min)`];
  } else {
    [phase, value, label] = ["over", `+${clock(elapsed - high)}`, "past the maximum: remove the needles"];
  }
  timer.dataset.phase = phase;
  timer.dataset.elapsed = String(Math.floor(elapsed));
  timer.querySelector("[data-countdown]").textContent = value;
  timer.querySelector("[data-countdown-label]").textContent = label;
  const bar = timer.querySelector("[data-progress]");
  if (bar) bar.value = Math.min(Math.max(elapsed, 0), high);
  if (phase !== "before") alertOnce(timer, phase === "over" ? "max" : "min", phase === "over" ? maxMinutes : minMinutes);
}

let ticks = 0;

function tickAll() {
  ticks += 1;
  document.querySelectorAll("[data-timer]").forEach(tick);
  flashTick(ticks);
}

function startTicking() {
  try {
    const worker = new Worker(new URL("timer-worker.js", import.meta.url));
    worker.onmessage = tickAll;
    return;
  } catch {
    // no worker: the page's own timer still counts from the stored start
  }
  setInterval(tickAll, 500);
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") tickAll();
});
document.addEventListener("pointerdown", () => {
  unlockAudio();
  stopFlashing();
});
document.addEventListener("keydown", () => {
  unlockAudio();
  stopFlashing();
});
document.addEventListener("htmx:afterSettle", tickAll);
document.getElementById("notify")?.addEventListener("click", askToNotify);

showNotifyButton();
tickAll();
startTicking();
