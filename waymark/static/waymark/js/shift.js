// The mobile shift page: the phone's location, recent people nearest first, a map pin,
// and an outbox so a contact recorded without a signal is kept and sent later.
//
// Without this script the page is a plain form that posts to the server. With it,
// Save keeps the contact on the phone first (IndexedDB, under a fresh idempotency
// key), then sends it to the contacts API; whatever cannot be sent yet waits, and
// whatever the server turns down is kept aside for the worker to fix.

import * as outbox from "./shift-queue.js";

const root = document.getElementById("shift");
const form = document.getElementById("shift-form");

const RETRY_EVERY_MS = 60_000;
const MAX_DECIMALS = 6;
const CLOCK_SKEW_MS = 5 * 60_000;
const TEXT_MAX = 200;
const DEFAULT_CENTRE = [51.5074, -0.1278];

const state = {
  flushing: false,
  signInNeeded: false,
  sentThisVisit: 0,
  again: false,
  note: "",
  editingKey: null,
  here: null,
};

function $(selector, within = document) {
  return within.querySelector(selector);
}

function field(name) {
  return form.elements.namedItem(name);
}

function checkedValue(name) {
  const chosen = form.querySelector(`input[name="${name}"]:checked`);
  return chosen ? chosen.value : "";
}

function checkedValues(name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value);
}

function labelFor(input) {
  const label = input && form.querySelector(`label[for="${input.id}"]`);
  return label ? label.textContent.trim() : "";
}

function pad(number) {
  return String(number).padStart(2, "0");
}

// A moment as the date and time boxes show it, in the phone's own time.
function localParts(moment) {
  return {
    date: `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`,
    time: `${pad(moment.getHours())}:${pad(moment.getMinutes())}`,
  };
}

// --- the service worker: keeps the page and its files for when there is no signal ---

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope }).catch((error) => {
    // The page still works online and the outbox still keeps contacts; only opening it offline is lost.
    console.warn("The shift page could not be kept for offline use:", error);
  });
}

// --- the map and the phone's location ---

let map = null;
let pin = null;

function numberOrNull(text) {
  const value = String(text || "").trim();
  if (value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function currentPoint() {
  const lat = numberOrNull(field("latitude").value);
  const lng = numberOrNull(field("longitude").value);
  return lat === null || lng === null ? null : [lat, lng];
}

function setCoordinates(lat, lng) {
  field("latitude").value = lat.toFixed(MAX_DECIMALS);
  field("longitude").value = lng.toFixed(MAX_DECIMALS);
}

function placePin(lat, lng, { centre = false } = {}) {
  if (!map) return;
  if (pin) {
    pin.setLatLng([lat, lng]);
  } else {
    pin = window.L.marker([lat, lng], { draggable: true, keyboard: false, alt: "Pin where you met them" }).addTo(map);
    pin.on("dragend", () => {
      const point = pin.getLatLng();
      setCoordinates(point.lat, point.lng);
      sortPeople(point.lat, point.lng);
    });
  }
  if (centre) map.setView([lat, lng], Math.max(map.getZoom(), 17));
}

function removePin() {
  if (pin && map) map.removeLayer(pin);
  pin = null;
}

function recentPoints() {
  return Array.from(document.querySelectorAll("#shift-people [data-lat]"))
    .map((item) => [numberOrNull(item.dataset.lat), numberOrNull(item.dataset.lng)])
    .filter(([lat, lng]) => lat !== null && lng !== null);
}

function startMap() {
  const element = document.getElementById("shift-map");
  if (!element || !window.L) return;
  element.hidden = false;
  element.setAttribute("role", "region");
  element.setAttribute("aria-label", "Map to place the pin; the latitude and longitude boxes below do the same");
  $("[data-map-hint]").hidden = false;
  const points = recentPoints();
  map = window.L.map(element, { zoomControl: true, attributionControl: Boolean(root.dataset.tileUrl) });
  if (points.length) {
    map.fitBounds(points, { maxZoom: 16, padding: [20, 20] });
  } else {
    map.setView(DEFAULT_CENTRE, 13);
  }
  if (root.dataset.tileUrl) {
    window.L.tileLayer(root.dataset.tileUrl, { attribution: root.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  map.on("click", (event) => {
    setCoordinates(event.latlng.lat, event.latlng.lng);
    placePin(event.latlng.lat, event.latlng.lng);
    sortPeople(event.latlng.lat, event.latlng.lng);
  });
  const typed = () => {
    const point = currentPoint();
    if (point) {
      placePin(point[0], point[1], { centre: true });
      sortPeople(point[0], point[1]);
    }
  };
  field("latitude").addEventListener("change", typed);
  field("longitude").addEventListener("change", typed);
  const point = currentPoint();
  if (point) placePin(point[0], point[1], { centre: true });
}

const EARTH_RADIUS_M = 6_371_000;

function distanceMetres([lat1, lng1], [lat2, lng2]) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

function describeDistance(metres) {
  if (metres < 1000) return `about ${Math.max(10, Math.round(metres / 10) * 10)} m away`;
  return `about ${(metres / 1000).toFixed(1)} km away`;
}

// Recent people nearest first; those with no known place keep their order after them.
function sortPeople(lat, lng) {
  const list = document.getElementById("shift-people");
  if (!list) return;
  state.here = [lat, lng];
  const items = Array.from(list.querySelectorAll(":scope > .govuk-radios__item[data-lat]"));
  if (!items.length) return;
  const measured = items.map((item, index) => {
    const point = [numberOrNull(item.dataset.lat), numberOrNull(item.dataset.lng)];
    const known = point[0] !== null && point[1] !== null;
    const metres = known ? distanceMetres([lat, lng], point) : Infinity;
    const note = $("[data-distance]", item);
    if (note) note.textContent = known ? `, ${describeDistance(metres)}` : "";
    return { item, index, metres };
  });
  measured.sort((a, b) => a.metres - b.metres || a.index - b.index);
  const anchor = list.querySelector(":scope > .govuk-radios__divider") || items[items.length - 1].nextSibling;
  for (const { item } of measured) list.insertBefore(item, anchor);
  const sortedNote = $("[data-sorted-by-distance]");
  if (sortedNote) sortedNote.hidden = false;
}

function locate({ quiet = false } = {}) {
  const status = document.getElementById("shift-locate-status");
  if (!("geolocation" in navigator)) {
    status.textContent = "This phone cannot give its location. Drop a pin or describe the place.";
    return;
  }
  if (!quiet) status.textContent = "Finding where you are…";
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const { latitude, longitude, accuracy } = position.coords;
      setCoordinates(latitude, longitude);
      placePin(latitude, longitude, { centre: true });
      sortPeople(latitude, longitude);
      status.textContent = `Location filled in, accurate to about ${Math.round(accuracy)} m. Drag the pin if it is not right.`;
    },
    (error) => {
      if (quiet) return;
      status.textContent =
        error.code === error.PERMISSION_DENIED
          ? "Location is turned off for Waymark on this phone. Drop a pin or describe the place."
          : "Could not find where you are. Try again, drop a pin or describe the place.";
    },
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
  );
}

async function locateIfAllowed() {
  // Only when the worker has already allowed it: never a permission prompt they did not ask for.
  if (!navigator.permissions || !("geolocation" in navigator)) return;
  try {
    const permission = await navigator.permissions.query({ name: "geolocation" });
    if (permission.state === "granted") locate({ quiet: true });
  } catch {
    // Some browsers cannot say; the button still works.
  }
}

// --- reading the form ---

// The moment typed in the date and time boxes, or null if it is not a real one.
function typedMoment(typed) {
  const moment = new Date(`${typed.seen_date}T${typed.seen_time}`);
  return Number.isNaN(moment.getTime()) ? null : moment;
}

// A JSON number (the API takes no strings here) with no more decimals than it keeps.
function rounded(text) {
  const number = numberOrNull(text);
  return number === null ? null : Number(number.toFixed(MAX_DECIMALS));
}

// The form as typed, to put it back later if the server turns the contact down.
function formState() {
  return {
    person: checkedValue("person"),
    reference: field("reference").value.trim(),
    description: field("description").value.trim(),
    seen_doing: checkedValue("seen_doing"),
    actions: checkedValues("actions"),
    needs: checkedValues("needs"),
    workers: checkedValues("workers"),
    latitude: field("latitude").value.trim(),
    longitude: field("longitude").value.trim(),
    place: field("place").value.trim(),
    site_type: field("site_type").value,
    district: field("district").value,
    seen_date: field("seen_date").value,
    seen_time: field("seen_time").value,
  };
}

function payloadFrom(typed, key) {
  const moment = typed.when ? new Date(typed.when) : typedMoment(typed);
  const payload = {
    seen_at: moment.toISOString(),
    seen_doing: typed.seen_doing,
    description: typed.description,
    place: typed.place,
    site_type: typed.site_type,
    actions: typed.actions,
    needs: typed.needs,
    idempotency_key: key,
  };
  const person = typed.person && typed.person !== "new" ? typed.person : typed.reference.toUpperCase();
  if (person) payload.person = person;
  const lat = rounded(typed.latitude);
  const lng = rounded(typed.longitude);
  if (lat !== null && lng !== null) {
    payload.latitude = lat;
    payload.longitude = lng;
  }
  if (typed.district) payload.district = typed.district;
  // The one recording was there; colleagues ticked were too.
  if (typed.workers.length) payload.workers = [root.dataset.user, ...typed.workers];
  return payload;
}

function summaryOf(typed) {
  let who = typed.description || typed.reference || "Someone not yet identified";
  if (typed.person && typed.person !== "new") {
    who = labelFor(form.querySelector(`input[name="person"][value="${CSS.escape(typed.person)}"]`)) || who;
  }
  const seen = labelFor(form.querySelector(`input[name="seen_doing"][value="${CSS.escape(typed.seen_doing)}"]`));
  return `${who}: ${seen.toLowerCase()}, ${typed.seen_date} ${typed.seen_time}`;
}

// The same checks the server makes first, so a contact kept offline is most likely one it will take.
function check(typed) {
  const errors = [];
  if (!typed.person && !typed.reference && !typed.description) {
    errors.push(["id_person_0", "person", "Choose the person, or describe them if you do not know who they are yet."]);
  } else if (typed.person === "new" && !typed.reference && !typed.description) {
    errors.push(["id_description", "description", "Describe them, or give their Waymark reference."]);
  }
  if (typed.description.length > TEXT_MAX) {
    errors.push(["id_description", "description", `Keep the description to ${TEXT_MAX} characters.`]);
  }
  if (!typed.seen_doing) {
    errors.push(["id_seen_doing_0", "seen_doing", "Choose what they were doing when you met them."]);
  }
  const lat = numberOrNull(typed.latitude);
  const lng = numberOrNull(typed.longitude);
  if ((typed.latitude && lat === null) || (typed.longitude && lng === null)) {
    errors.push(["id_latitude", "latitude", "Give the latitude and longitude as numbers, e.g. 53.480759."]);
  } else if ((lat === null) !== (lng === null)) {
    errors.push(["id_latitude", "latitude", "Give both latitude and longitude, or neither."]);
  } else if (lat !== null && (Math.abs(lat) > 90 || Math.abs(lng) > 180)) {
    errors.push(["id_latitude", "latitude", "That point is not on the map: latitude −90 to 90, longitude −180 to 180."]);
  }
  if (!typed.place && lat === null) {
    errors.push(["id_place", "place", "Drop a pin on the map or describe the place."]);
  }
  if (typed.place.length > TEXT_MAX) {
    errors.push(["id_place", "place", `Keep the place to ${TEXT_MAX} characters.`]);
  }
  // Both empty means now, when Save is pressed.
  if (Boolean(typed.seen_date) !== Boolean(typed.seen_time)) {
    errors.push(["id_seen_date", "seen_date", "Give both the date and the time, or leave both empty for now."]);
  } else if (typed.seen_date) {
    const moment = typedMoment(typed);
    if (!moment) {
      errors.push(["id_seen_date", "seen_date", "Give the date and time you met them."]);
    } else if (moment.getTime() > Date.now() + CLOCK_SKEW_MS) {
      errors.push(["id_seen_date", "seen_date", "The contact must be now or in the past."]);
    }
  }
  return errors;
}

function clearErrors() {
  document.getElementById("shift-check").replaceChildren();
  for (const message of form.querySelectorAll("[data-client-error]")) message.remove();
  for (const group of form.querySelectorAll(".govuk-form-group--error[data-client-error-group]")) {
    group.classList.remove("govuk-form-group--error");
    group.removeAttribute("data-client-error-group");
  }
}

function showErrors(errors) {
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  const alert = document.createElement("div");
  alert.setAttribute("role", "alert");
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const body = document.createElement("div");
  body.className = "govuk-error-summary__body";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  for (const [anchor, , message] of errors) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#${anchor}`;
    link.textContent = message;
    item.append(link);
    list.append(item);
    const target = document.getElementById(anchor);
    if (!target) continue;
    if (target.closest("details")) target.closest("details").open = true;
    const group = target.closest(".govuk-form-group") || target.parentElement;
    if (!group.classList.contains("govuk-form-group--error")) {
      group.classList.add("govuk-form-group--error");
      group.setAttribute("data-client-error-group", "");
    }
    const inline = document.createElement("p");
    inline.className = "govuk-error-message";
    inline.setAttribute("data-client-error", "");
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = "Error:";
    inline.append(hidden, ` ${message}`);
    const legend = group.querySelector("legend");
    const label = group.querySelector(`label[for="${anchor}"]`);
    if (legend && !label) legend.after(inline);
    else if (label) label.after(inline);
    else group.prepend(inline);
  }
  showDescription(checkedValue("person") === "new");
  body.append(list);
  alert.append(title, body);
  summary.append(alert);
  const holder = document.getElementById("shift-check");
  holder.replaceChildren(summary);
  holder.focus();
}

// Put a kept contact back in the form, to fix what the server said.
function fillForm(typed) {
  form.reset();
  const tick = (name, values) => {
    for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = values.includes(input.value);
  };
  const people = Array.from(form.querySelectorAll('input[name="person"]'), (input) => input.value);
  const person = people.includes(typed.person) ? typed.person : typed.person ? "new" : "";
  tick("person", [person]);
  tick("seen_doing", [typed.seen_doing]);
  tick("actions", typed.actions);
  tick("needs", typed.needs);
  tick("workers", typed.workers);
  for (const name of ["reference", "description", "latitude", "longitude", "place", "site_type", "district"]) {
    field(name).value = typed[name] || "";
  }
  field("seen_date").value = typed.seen_date;
  field("seen_time").value = typed.seen_time;
  showDescription(person === "new");
  const point = currentPoint();
  if (point) placePin(point[0], point[1], { centre: true });
  else removePin();
}

// The description and reference show once "someone else" is chosen (always without
// JavaScript, and whenever one of them has an error to fix).
function showDescription(shown) {
  const conditional = document.getElementById("conditional-person-new");
  if (!conditional) return;
  conditional.hidden = !shown && !conditional.querySelector(".govuk-form-group--error");
}

function startReveal() {
  showDescription(checkedValue("person") === "new");
  form.addEventListener("change", (event) => {
    if (event.target.name === "person") showDescription(event.target.value === "new");
  });
}

function startAfresh() {
  form.reset();
  clearErrors();
  removePin();
  field("idempotency_key").value = outbox.newKey();
  state.editingKey = null;
  showDescription(checkedValue("person") === "new");
  if (state.here) sortPeople(state.here[0], state.here[1]);
  locateIfAllowed();
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors();
  const typed = formState();
  const errors = check(typed);
  if (errors.length) {
    showErrors(errors);
    return;
  }
  if (!typed.seen_date) {
    // Now: the moment Save was pressed, kept to the second; the boxes show it if it comes back.
    const now = new Date();
    typed.when = now.getTime();
    typed.seen_date = localParts(now).date;
    typed.seen_time = localParts(now).time;
  }
  const key = outbox.newKey();
  const item = {
    key,
    created: Date.now(),
    user: root.dataset.user,
    service: root.dataset.service,
    payload: payloadFrom(typed, key),
    form: typed,
    summary: summaryOf(typed),
    state: outbox.WAITING,
    message: "",
    fields: {},
  };
  try {
    if (state.editingKey) await outbox.replace(state.editingKey, item);
    else await outbox.add(item);
  } catch (error) {
    // The phone would not keep it (storage full or blocked): send the form the ordinary way.
    console.warn("Could not keep the contact on this phone:", error);
    form.removeEventListener("submit", onSubmit);
    form.requestSubmit();
    return;
  }
  startAfresh();
  window.scrollTo({ top: 0 });
  await render(`Saved on this phone: ${item.summary}.`);
  flush();
}

// --- sending what is kept ---

function csrfToken() {
  return field("csrfmiddlewaretoken").value;
}

// A page opened from the phone's copy may carry an old token (after signing in again):
// read a fresh one from the page on the server.
async function refreshToken() {
  const response = await fetch(root.dataset.scope, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok || response.redirected) return false;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const input = page.querySelector('#shift-form input[name="csrfmiddlewaretoken"]');
  if (!input) return false;
  field("csrfmiddlewaretoken").value = input.value;
  return true;
}

async function send(item) {
  let response;
  try {
    response = await fetch(root.dataset.apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Waymark-Service": item.service,
      },
      body: JSON.stringify(item.payload),
    });
  } catch {
    return { outcome: "retry" };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  // Only the API's own answer counts as saved: a hotspot's sign-in page also says 200.
  if ((response.status === 200 || response.status === 201) && body && !body.error) return { outcome: "sent" };
  if (response.status === 401) return { outcome: "signin" };
  const error = body && body.error;
  if (response.status === 403 && error && String(error.message).startsWith("CSRF")) return { outcome: "csrf" };
  if (!error || response.status === 405 || response.status === 429 || response.status >= 500) {
    return { outcome: "retry" };
  }
  // The server read it and said no (400, 403, 404, 409): keep it for the worker to fix.
  return { outcome: "rejected", message: error.message || "The server did not accept this contact.", fields: error.fields || {} };
}

async function whoIsSignedIn() {
  try {
    const response = await fetch(root.dataset.meUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401 || response.status === 403) return { signedOut: true };
    if (!response.ok) return null;
    const me = await response.json();
    return { id: String(me.id) };
  } catch {
    return null;
  }
}

async function sendWaiting() {
  const waiting = (await outbox.all()).filter((item) => item.state === outbox.WAITING && item.user === root.dataset.user);
  if (!waiting.length || !navigator.onLine) return;
  // Contacts kept on this phone are sent only as the worker who recorded them.
  const me = await whoIsSignedIn();
  if (!me) return;
  state.signInNeeded = Boolean(me.signedOut) || me.id !== root.dataset.user;
  if (state.signInNeeded) return;
  let refreshed = false;
  for (let index = 0; index < waiting.length; index += 1) {
    const item = waiting[index];
    const result = await send(item);
    if (result.outcome === "sent") {
      await outbox.remove(item.key);
      state.sentThisVisit += 1;
    } else if (result.outcome === "rejected") {
      await outbox.update(item.key, { state: outbox.ATTENTION, message: result.message, fields: result.fields });
    } else if (result.outcome === "csrf" && !refreshed) {
      refreshed = true;
      if (await refreshToken()) index -= 1;
      else return;
    } else {
      if (result.outcome === "signin") state.signInNeeded = true;
      // Keep the order: nothing later overtakes a contact still waiting.
      return;
    }
  }
}

async function flush() {
  if (state.flushing) {
    // Something was kept while sending: go round once more when this round ends.
    state.again = true;
    return;
  }
  state.flushing = true;
  state.again = false;
  try {
    if (navigator.locks) {
      // One tab sends at a time; the idempotency key would catch a double, but this saves the trip.
      await navigator.locks.request("waymark-shift-outbox", sendWaiting);
    } else {
      await sendWaiting();
    }
  } catch (error) {
    console.warn("Sending kept contacts failed; they stay on this phone:", error);
  } finally {
    state.flushing = false;
    await render();
  }
  if (state.again) flush();
}

// --- showing the outbox ---

// The API names fields by their code; say them as the form does.
const FIELD_NAMES = {
  person: "Who",
  description: "Description",
  seen_doing: "What they were doing",
  seen_at: "When",
  latitude: "Latitude",
  longitude: "Longitude",
  place: "Place",
  district: "District",
  site_type: "Kind of place",
  actions: "What you did",
  needs: "Needs",
  workers: "Who was with you",
  idempotency_key: "Contact",
};

function reasonFor(item) {
  const fields = Object.entries(item.fields || {});
  if (!fields.length) return item.message || "The server did not accept this contact.";
  return fields
    .map(([name, messages]) => {
      const text = [].concat(messages).join(" ");
      return name in FIELD_NAMES ? `${FIELD_NAMES[name]}: ${text}` : text;
    })
    .join(" ");
}

function attentionItem(item) {
  const li = document.createElement("li");
  li.className = "wm-shift__attention-item";
  const what = document.createElement("p");
  what.className = "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1";
  what.textContent = item.summary;
  const why = document.createElement("p");
  why.className = "govuk-error-message";
  why.textContent = reasonFor(item);
  const buttons = document.createElement("div");
  buttons.className = "govuk-button-group";
  const fix = document.createElement("button");
  fix.type = "button";
  fix.className = "govuk-button govuk-button--secondary";
  fix.textContent = "Put it back in the form";
  fix.addEventListener("click", () => {
    state.editingKey = item.key;
    clearErrors();
    fillForm(item.form);
    const first = form.querySelector("input:checked") || field("place");
    first.focus();
    render("The contact is back in the form. Fix it and save it again.");
  });
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "govuk-button govuk-button--warning";
  remove.textContent = "Delete it";
  remove.addEventListener("click", () => confirmDelete(li, item, remove));
  buttons.append(fix, remove);
  li.append(what, why, buttons);
  return li;
}

// Deleting loses what was typed: ask once more, in place.
function confirmDelete(li, item, trigger) {
  const box = document.createElement("div");
  box.className = "govuk-warning-text";
  const question = document.createElement("p");
  question.className = "govuk-body govuk-!-font-weight-bold";
  question.textContent = "Delete this contact from the phone? It has not been saved anywhere else.";
  question.tabIndex = -1;
  const yes = document.createElement("button");
  yes.type = "button";
  yes.className = "govuk-button govuk-button--warning";
  yes.textContent = "Yes, delete it";
  const no = document.createElement("button");
  no.type = "button";
  no.className = "govuk-button govuk-button--secondary";
  no.textContent = "No, keep it";
  const group = document.createElement("div");
  group.className = "govuk-button-group";
  group.append(yes, no);
  box.append(question, group);
  trigger.parentElement.hidden = true;
  li.append(box);
  question.focus();
  yes.addEventListener("click", async () => {
    await outbox.remove(item.key);
    if (state.editingKey === item.key) state.editingKey = null;
    render("Contact deleted from the phone.");
  });
  no.addEventListener("click", () => {
    box.remove();
    trigger.parentElement.hidden = false;
    trigger.focus();
  });
}

let lastAnnouncement = "";

async function render(announcement = "") {
  let items = [];
  try {
    items = await outbox.all();
  } catch (error) {
    console.warn("Could not read the contacts kept on this phone:", error);
  }
  const mine = items.filter((item) => item.user === root.dataset.user);
  const waiting = mine.filter((item) => item.state === outbox.WAITING);
  const attention = mine.filter((item) => item.state === outbox.ATTENTION);
  const others = items.length - mine.length;

  // The last thing done stays in view until the next, so a glance confirms the save.
  if (announcement) state.note = announcement;
  const parts = [];
  if (state.note) parts.push(state.note);
  if (waiting.length) parts.push(`Waiting to send (${waiting.length})`);
  else if (state.sentThisVisit) parts.push("All contacts sent.");
  if (attention.length) parts.push(`${attention.length} need${attention.length === 1 ? "s" : ""} your attention (at the top).`);
  if (others) parts.push(`${others} kept for another worker who used this phone: they sign in to send them.`);
  const text = parts.join(" ");
  const queue = document.getElementById("shift-queue");
  if (text !== lastAnnouncement) {
    queue.textContent = text;
    lastAnnouncement = text;
  }
  queue.classList.toggle("wm-shift__queue--waiting", waiting.length > 0);
  document.getElementById("shift-connection").hidden = navigator.onLine;
  document.getElementById("shift-signin").hidden = !(state.signInNeeded && waiting.length);

  const panel = document.getElementById("shift-attention");
  const list = document.getElementById("shift-attention-list");
  const shown = new Set(Array.from(list.children, (li) => li.dataset.key));
  const wanted = new Set(attention.map((item) => item.key));
  const changed = shown.size !== wanted.size || [...wanted].some((key) => !shown.has(key));
  if (changed) {
    list.replaceChildren(
      ...attention.map((item) => {
        const li = attentionItem(item);
        li.dataset.key = item.key;
        return li;
      }),
    );
  }
  panel.hidden = attention.length === 0;
}

// --- start ---

function start() {
  if (!root || !form) return;
  for (const element of document.querySelectorAll("[data-locate-panel]")) element.hidden = false;
  startReveal();
  $("[data-locate]").addEventListener("click", () => locate());
  startMap();
  registerServiceWorker();
  if (!outbox.available()) return;
  // A page opened from the phone's copy was drawn earlier: each contact gets a new key.
  field("idempotency_key").value = outbox.newKey();
  form.addEventListener("submit", onSubmit);
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => render());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") flush();
  });
  window.setInterval(() => {
    if (document.visibilityState === "visible") flush();
  }, RETRY_EVERY_MS);
  locateIfAllowed();
  flush();
}

start();
