// Waymark's page behaviour: GOV.UK Frontend components and the idle-timeout warning.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Warn before the idle timeout signs the user out, and let them stay signed in.
function startIdleWarning() {
  const body = document.body;
  const idle = Number(body.dataset.sessionIdleSeconds || 0);
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
      window.location.href = body.dataset.sessionLogoutUrl.replace("logout", "login") + "?next=" + encodeURIComponent(window.location.pathname);
      return;
    }
    if (left <= warning) {
      countdown.textContent = describe(left);
      show();
    }
  }
  dialog.querySelector("[data-timeout-keepalive]").addEventListener("click", async () => {
    const response = await fetch(body.dataset.sessionKeepaliveUrl, { credentials: "same-origin" });
    if (response.ok) {
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
