/*
 * MySmartNotes — study.js: reading time on a lecture or page view, counted from visibility (Page Visibility API).
 * Time accrues only while the tab is visible and the reader has touched the page (pointer, keys, wheel, scroll)
 * within IDLE_MS; it is posted to /study/reading/ every BEAT_MS of such time, when the tab is hidden and when the
 * page goes away. Each page shown gets a view id: the first post of a view (sent once the page is visible)
 * counts one page view. The server caps every post again (apps/study/services.record_reading).
 * Markup: <div hidden data-study-reading data-url data-lecture data-page data-csrf> (templates/study/_reading.html);
 * a [data-study-page] element, when present, names the page shown (for swapped page views).
 */
(function () {
  "use strict";

  var el = document.querySelector("[data-study-reading]");
  if (!el || !window.fetch || !window.FormData) return;
  var BEAT_MS = 30000;
  var IDLE_MS = 5 * 60000;
  var TICK_MS = 1000;
  var activeMs = 0;
  var lastTick = Date.now();
  var lastInput = Date.now();
  var page = "";
  var view = "";
  var viewSent = false;

  function visible() { return document.visibilityState === "visible"; }

  function currentPage() {
    var shown = document.querySelector("[data-study-page]");
    return shown ? shown.getAttribute("data-study-page") : el.getAttribute("data-page") || "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  function send() {
    if (!viewSent && !visible()) return; // a view counts only once the page has been seen
    var seconds = Math.floor(activeMs / 1000);
    if (viewSent && seconds < 1) return;
    activeMs -= seconds * 1000;
    viewSent = true;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", el.dataset.csrf);
    body.append("lecture", el.dataset.lecture);
    body.append("page", page);
    body.append("view", view);
    body.append("seconds", String(seconds));
    fetch(el.dataset.url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
      .catch(function () { /* offline for a moment: this beat is lost, the next one counts */ });
  }

  function startView() {
    page = currentPage();
    view = newId();
    viewSent = false;
    send();
  }

  function tick() {
    var now = Date.now();
    // a timer throttled in a background tab (or a sleeping laptop) never adds its whole gap
    var step = Math.min(now - lastTick, 2 * TICK_MS);
    lastTick = now;
    if (currentPage() !== page) {
      send();
      activeMs = 0;
      startView();
      return;
    }
    if (visible() && now - lastInput < IDLE_MS) activeMs += step;
    if (!viewSent || activeMs >= BEAT_MS) send();
  }

  ["pointerdown", "pointermove", "keydown", "wheel", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (visible()) {
      lastInput = lastTick = Date.now(); // coming back to the tab is activity
      tick();
    } else {
      send();
    }
  });
  window.addEventListener("pagehide", send);
  startView();
  setInterval(tick, TICK_MS);
})();
