/*
 * MySmartNotes — chat.js (conversation page). Plain JS on top of htmx + the htmx ws extension.
 *
 * The form (#chat-form, ws-send) goes over the websocket opened by #chat (ws-connect). The server answers
 * with hx-swap-oob fragments: the question and a live answer bubble (.chat-msg[aria-busy]), tokens appended
 * to its body, then the finished answer replacing it. This script:
 *  - disables the input while an answer streams and re-enables it when no live bubble is left;
 *  - clears the question box once sent (and puts the text back if the server refused it, e.g. rate limit);
 *  - resets the per-message "Search the web too" toggle after each question;
 *  - fills and sends a suggested question on click;
 *  - opens citation pills ([data-page-panel], hx-get) in the #page-panel dialog;
 *  - counts down the "try again in N s" of a rate-limit alert;
 *  - shows the socket state. Enter/Shift+Enter, autogrow, "/" focus and log-follow come from app.js.
 */
(function () {
  "use strict";

  var doc = document;
  var STATE_TEXT = {
    connecting: "Connecting…",
    ready: "Enter to send · Shift+Enter for a new line",
    answering: "Answering…",
    closed: "Connection lost — reconnecting…",
  };

  function el(id) { return doc.getElementById(id); }

  function parts() {
    return {
      chat: el("chat"),
      form: el("chat-form"),
      textarea: el("chat-question"),
      send: el("chat-send"),
      web: el("chat-use-web"),
      state: el("chat-state"),
      alerts: el("chat-alerts"),
    };
  }

  var lastSent = "";
  var busy = false;
  var wasClosed = false;

  function setState(name) {
    var s = parts().state;
    if (!s) return;
    s.dataset.state = name;
    s.textContent = STATE_TEXT[name] || "";
  }

  function liveAnswer() {
    return doc.querySelector('#chat-log .chat-msg[aria-busy="true"]');
  }

  function setBusy(value) {
    var p = parts();
    busy = value;
    if (!p.form) return;
    p.form.classList.toggle("is-busy", value);
    p.form.setAttribute("aria-busy", value ? "true" : "false");
    p.textarea.disabled = value;
    p.send.disabled = value;
    setState(value ? "answering" : "ready");
    if (!value) {
      try { p.textarea.focus({ preventScroll: true }); } catch (err) { p.textarea.focus(); }
    }
  }

  function isChat(evt) {
    var target = evt.detail && evt.detail.elt;
    return target && (target.id === "chat" || target.id === "chat-form" || target.closest && target.closest("#chat"));
  }

  doc.addEventListener("htmx:wsOpen", function (evt) {
    if (!isChat(evt)) return;
    if (wasClosed && busy) {
      // The answer kept being written (and saved) on the server while we were away: show it.
      window.location.reload();
      return;
    }
    wasClosed = false;
    if (!busy) setState("ready");
  });

  doc.addEventListener("htmx:wsClose", function (evt) {
    if (!isChat(evt)) return;
    wasClosed = true;
    setState("closed");
  });

  doc.addEventListener("htmx:wsConfigSend", function (evt) {
    if (!isChat(evt)) return;
    var p = parts();
    if (busy || !p.textarea.value.trim()) {
      evt.preventDefault();
      return;
    }
    lastSent = p.textarea.value;
  });

  doc.addEventListener("htmx:wsAfterSend", function (evt) {
    if (!isChat(evt)) return;
    var p = parts();
    p.textarea.value = "";
    p.textarea.style.height = "";
    if (p.web) p.web.checked = false; // web search is per message
    if (p.alerts) p.alerts.textContent = "";
    var empty = el("chat-empty");
    if (empty) empty.remove();
    setBusy(true);
  });

  doc.addEventListener("htmx:wsAfterMessage", function (evt) {
    if (!isChat(evt)) return;
    var p = parts();
    var alert = p.alerts && p.alerts.querySelector(".alert");
    var live = liveAnswer();
    if (live && alert && alert.dataset.code === "error") {
      // The server gave up on this answer: stop waiting for it.
      live.removeAttribute("aria-busy");
      live.classList.remove("is-streaming");
      live.classList.add("is-error");
      live = null;
    }
    if (live) return;
    if (busy) setBusy(false);
    if (alert && lastSent && !p.textarea.value) {
      // The question was refused (too fast, empty…): give it back so nothing typed is lost.
      p.textarea.value = lastSent;
      p.textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (alert) startCountdown(alert);
  });

  /* Rate-limit alert: "try again in N s" counts down to zero. */
  function startCountdown(alert) {
    var span = alert.querySelector("[data-countdown]");
    if (!span || alert.dataset.counting) return;
    alert.dataset.counting = "1";
    var left = parseInt(span.textContent, 10) || 0;
    var timer = setInterval(function () {
      left -= 1;
      if (!span.isConnected) { clearInterval(timer); return; }
      if (left <= 0) {
        clearInterval(timer);
        var content = alert.querySelector(".alert-content");
        if (content) content.textContent = "You can send your question again now.";
        alert.classList.remove("alert-warning");
        alert.classList.add("alert-info");
        return;
      }
      span.textContent = String(left);
    }, 1000);
  }

  /* Suggested questions in the empty state. */
  doc.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-suggestion]");
    if (!btn) return;
    var p = parts();
    if (!p.form || busy) return;
    p.textarea.value = btn.getAttribute("data-suggestion");
    if (typeof p.form.requestSubmit === "function") p.form.requestSubmit();
    else p.form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
  });

  /* Citation pills open the page view in the side panel (htmx loads it into #page-panel-body). */
  function openPanel() {
    var panel = el("page-panel");
    if (!panel) return null;
    if (!panel.open) {
      if (typeof panel.showModal === "function") panel.showModal();
      else panel.setAttribute("open", "");
    }
    return panel;
  }

  doc.addEventListener("htmx:beforeRequest", function (evt) {
    var src = evt.detail && evt.detail.elt;
    if (!src || !src.matches || !src.matches("[data-page-panel]")) return;
    var body = el("page-panel-body");
    if (!body) return;
    body.innerHTML = '<p class="page-panel-loading">Loading the page…</p>';
    var title = el("page-panel-title");
    if (title) title.lastChild.textContent = " " + (src.textContent || "Source page");
    openPanel();
  });

  doc.addEventListener("htmx:responseError", function (evt) {
    var src = evt.detail && evt.detail.elt;
    if (!src || !src.matches || !src.matches("[data-page-panel]")) return;
    var body = el("page-panel-body");
    if (body) body.innerHTML = '<p class="alert alert-error">This page could not be loaded. It may have been deleted or reprocessed.</p>';
  });

  doc.addEventListener("htmx:sendError", function (evt) {
    var src = evt.detail && evt.detail.elt;
    if (!src || !src.matches || !src.matches("[data-page-panel]")) return;
    var body = el("page-panel-body");
    if (body) body.innerHTML = '<p class="alert alert-error">The server could not be reached.</p>';
  });

  function init() {
    if (!el("chat")) return;
    setState("connecting");
    if (liveAnswer()) setBusy(true);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
