// crampcare: a steady tick for the retention timers (session page, treatment rooms).
// Timers in a dedicated worker are not throttled like those of a background tab, so the page
// hears a tick about every half second even when the tablet's screen is off. The tick carries
// no state: the page computes every timer from the start time the server stored.
let ticking = setInterval(() => self.postMessage(Date.now()), 500);

self.onmessage = (event) => {
  if (event.data === "stop" && ticking !== null) {
    clearInterval(ticking);
    ticking = null;
  }
};
