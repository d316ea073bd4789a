// Waymark's page behaviour: GOV.UK Frontend components and the idle-timeout warning.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Warn before the idle timeout signs the user out, and let them stay signed in.
function startIdleWarning() {
  const body = document.body;
  const configuredIdle = Number(body.dataset.sessionIdleSeconds || 0);
  // The server notes activity at most once a minute, so its clock may run up to
  // a minute ahead of ours: end a minute early rather than let a click fail.
  const idle = configuredIdle > 180 ? configuredIdle - 60 : configuredIdle;
  const warning = Number(body.dataset.sessionWarningSeconds || 0);
  const dialog = document.getElementById("session-timeout");
  if (!idle || !dialog) return;
  const box = dialog.querySelector("[role=alertdialog]");
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  let lastActivity = Date.now();
  let previousFocus = null;

  function remaining() {
    return Math.max(0, Math.round(idle - (Date.now() - lastActivity) / 1000));
  }
  function describe(seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }
  function show() {
    if (!dialog.hidden) return;
    previousFocus = document.activeElement;
    dialog.hidden = false;
    box.focus();
  }
  function hide() {
    dialog.hidden = true;
    if (previousFocus) previousFocus.focus();
  }
  function tick() {
    const left = remaining();
    if (left <= 0) {
      signOut();
      return;
    }
    if (left <= warning) {
      countdown.textContent = describe(left);
      show();
    }
  }
  let signingOut = false;
  // Sign out for real (a POST with the form's CSRF token), so the session ends now
  // on the server too, then come back to this page through the sign-in page.
  function signOut() {
    if (signingOut) return;
    signingOut = true;
    const form = dialog.querySelector("form");
    for (const [name, value] of [["reason", "idle"], ["next", window.location.pathname + window.location.search]]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    form.submit();
  }
  dialog.querySelector("[data-timeout-keepalive]").addEventListener("click", async () => {
    let response = null;
    try {
      response = await fetch(body.dataset.sessionKeepaliveUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      response = null;
    }
    // A redirect means the server signed us out already (it answers 401 to JSON, but be sure).
    if (response && response.ok && !response.redirected) {
      lastActivity = Date.now();
      hide();
    } else {
      window.location.reload();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !dialog.hidden) dialog.querySelector("[data-timeout-keepalive]").click();
  });
  document.body.addEventListener("htmx:afterRequest", () => { lastActivity = Date.now(); });
  setInterval(tick, 1000);
}

startIdleWarning();
