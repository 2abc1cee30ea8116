/*
 * MySmartNotes — app.js
 * Plain JS, no build step, loaded with `defer` after htmx. Everything here is progressive enhancement
 * hooked to classes / data attributes documented in templates/core/styleguide.html.
 *
 *  - Toasts (.messages .toast): close button, auto-dismiss after 5 s (paused on hover/focus),
 *    [data-autodismiss] opt-in, so "sticky" messages stay.
 *  - Confirm: [data-confirm] on a button, link or form (and hx-confirm) asks in <dialog id="confirm-dialog">.
 *    Works for plain form submits, links and htmx requests (htmx:confirm); other elements get a bubbling
 *    "confirmed" event after the user agrees. Falls back to window.confirm only when <dialog> is unsupported.
 *  - Keyboard: "/" focuses [data-hotkey-focus], "?" opens #shortcuts-dialog.
 *  - Dialogs: [data-dialog-open="id"], [data-dialog-close], <dialog data-dialog-close-on="event">.
 *  - Nav: [data-nav-toggle] mobile menu, user menu <details> closes on outside click / Esc.
 *  - Dropzone (.dropzone with an <input type=file>): .is-dragover while dragging, lists chosen files in
 *    a .dropzone-files list when the markup has one. Never uploads or copies files itself (page scripts such
 *    as upload.js do). Opt out entirely with data-dropzone="manual".
 *  - Chat: Enter sends in .chat-input textareas (Shift+Enter = new line), textareas auto-grow, and the
 *    page follows the newest .chat-log content while the reader is at the bottom.
 *  - #realtime gets data-state="open|closed" from the htmx ws extension events.
 *  - A 4xx htmx response carrying HX-Retarget (e.g. the "text can't be saved" toast) is swapped, not dropped.
 */
(function () {
  "use strict";

  var TOAST_MS = 5000;
  var doc = document;

  function onReady(fn) {
    if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return (
      el.isContentEditable ||
      tag === "TEXTAREA" ||
      tag === "SELECT" ||
      (tag === "INPUT" && !/^(checkbox|radio|button|submit|reset|range|color|file)$/i.test(el.type))
    );
  }

  function isVisible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  var dialogSupported = typeof HTMLDialogElement === "function" && "showModal" in HTMLDialogElement.prototype;

  /* ------------------------------------------------------------------------------------------ */
  /* Toasts                                                                                       */
  /* ------------------------------------------------------------------------------------------ */
  function dismissToast(toast) {
    if (!toast || toast.classList.contains("is-leaving")) return;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, reduce ? 0 : 200);
  }

  function initToast(toast) {
    if (toast.dataset.toastReady) return;
    toast.dataset.toastReady = "1";
    if (!toast.querySelector("[data-dismiss]")) {
      var btn = doc.createElement("button");
      btn.type = "button";
      btn.className = "btn btn-ghost btn-icon btn-sm toast-close";
      btn.setAttribute("data-dismiss", "");
      btn.setAttribute("aria-label", "Dismiss notification");
      btn.innerHTML =
        '<svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
        'stroke-linecap="round" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';
      toast.appendChild(btn);
    }
    if (!toast.hasAttribute("data-autodismiss")) return;
    var remaining = TOAST_MS;
    var started = 0;
    var timer = null;
    function start() {
      if (timer) return;
      started = Date.now();
      timer = setTimeout(function () { dismissToast(toast); }, remaining);
    }
    function pause() {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      remaining = Math.max(1000, remaining - (Date.now() - started));
    }
    toast.addEventListener("mouseenter", pause);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusin", pause);
    toast.addEventListener("focusout", start);
    start();
  }

  function initToasts(root) {
    (root || doc).querySelectorAll(".messages .toast, .messages > .alert").forEach(initToast);
  }

  doc.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-dismiss]");
    if (!btn) return;
    var target = btn.closest(".toast, .alert, [data-dismissible]");
    if (target) dismissToast(target);
  });

  /* ------------------------------------------------------------------------------------------ */
  /* Confirm dialog                                                                               */
  /* ------------------------------------------------------------------------------------------ */
  var confirmDialog = null;

  function buildConfirmDialog() {
    var d = doc.createElement("dialog");
    d.className = "modal";
    d.id = "confirm-dialog";
    d.setAttribute("aria-labelledby", "confirm-dialog-title");
    d.setAttribute("aria-describedby", "confirm-dialog-message");
    d.innerHTML =
      '<form method="dialog"><div class="modal-header"><h2 id="confirm-dialog-title">Are you sure?</h2></div>' +
      '<div class="modal-body"><p id="confirm-dialog-message"></p></div>' +
      '<div class="modal-footer"><button type="submit" class="btn btn-secondary" value="cancel" autofocus>Cancel</button>' +
      '<button type="submit" class="btn btn-danger" value="confirm" data-confirm-ok>Confirm</button></div></form>';
    doc.body.appendChild(d);
    return d;
  }

  function getConfirmDialog() {
    if (!confirmDialog || !confirmDialog.isConnected) {
      confirmDialog = doc.getElementById("confirm-dialog") || buildConfirmDialog();
    }
    return confirmDialog;
  }

  /** Ask a question; resolves to true (confirmed) or false. `source` supplies the optional data-confirm-* texts. */
  function askConfirm(message, source) {
    var ds = (source && source.dataset) || {};
    if (!dialogSupported) return Promise.resolve(window.confirm(message));
    var dialog = getConfirmDialog();
    if (dialog.open) return Promise.resolve(false);
    var title = dialog.querySelector("#confirm-dialog-title");
    var text = dialog.querySelector("#confirm-dialog-message");
    var ok = dialog.querySelector("[data-confirm-ok]");
    var icon = dialog.querySelector("[data-confirm-icon]");
    var tone = ds.confirmTone || (source && source.classList && source.classList.contains("btn-danger") ? "danger" : "primary");
    if (!ds.confirmTone && source && source.tagName === "FORM") {
      var dangerBtn = source.querySelector(".btn-danger[type=submit], button.btn-danger:not([type])");
      if (dangerBtn) tone = "danger";
    }
    if (title) title.textContent = ds.confirmTitle || (tone === "danger" ? "Are you sure?" : "Please confirm");
    if (text) text.textContent = message;
    if (ok) {
      ok.textContent = ds.confirmOk || "Confirm";
      ok.className = "btn " + (tone === "danger" ? "btn-danger" : "btn-primary");
    }
    if (icon) icon.classList.toggle("is-primary", tone !== "danger");
    var opener = doc.activeElement;

    return new Promise(function (resolve) {
      function done() {
        dialog.removeEventListener("close", done);
        var confirmed = dialog.returnValue === "confirm";
        dialog.returnValue = "";
        if (opener && opener.isConnected && typeof opener.focus === "function") {
          try { opener.focus({ preventScroll: true }); } catch (err) { /* ignore */ }
        }
        resolve(confirmed);
      }
      dialog.returnValue = "";
      dialog.addEventListener("close", done);
      dialog.showModal();
      var cancel = dialog.querySelector('[value="cancel"]');
      if (cancel) cancel.focus();
    });
  }

  /* Keep Tab inside any open modal dialog (showModal already makes the page inert; this also keeps focus
     from escaping to the browser chrome). */
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "Tab") return;
    var dialog = doc.querySelector("dialog.modal[open]");
    if (!dialog) return;
    var focusables = Array.prototype.filter.call(
      dialog.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'),
      isVisible
    );
    if (!focusables.length) return;
    var first = focusables[0];
    var last = focusables[focusables.length - 1];
    if (e.shiftKey && (doc.activeElement === first || !dialog.contains(doc.activeElement))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (doc.activeElement === last || !dialog.contains(doc.activeElement))) {
      e.preventDefault();
      first.focus();
    }
  });

  /* A click on the backdrop closes a modal: such clicks target the <dialog> itself, outside its box. */
  doc.addEventListener("click", function (e) {
    var d = e.target;
    if (d.tagName !== "DIALOG" || !d.classList.contains("modal") || !d.open || e.detail === 0) return;
    var r = d.getBoundingClientRect();
    var inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
    if (!inside) d.close("cancel");
  });

  // Forms / submitters that the user already confirmed: their next submit goes through untouched.
  var confirmed = new WeakSet();

  function confirmHost(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) return submitter;
    if (form.hasAttribute("data-confirm")) return form;
    return null;
  }

  // Plain (and htmx-driven) form submits. Capture phase on document runs before htmx's own submit handler,
  // so one code path covers both: we stop the event, ask, then re-submit with the same submitter.
  doc.addEventListener(
    "submit",
    function (e) {
      var form = e.target;
      if (!(form instanceof HTMLFormElement)) return;
      var submitter = e.submitter || null;
      var host = confirmHost(form, submitter);
      if (!host) return;
      if (confirmed.has(form)) {
        // Let htmx see it once more (htmx:confirm below clears the mark); plain forms navigate away.
        setTimeout(function () { confirmed.delete(form); }, 0);
        return;
      }
      e.preventDefault();
      e.stopImmediatePropagation();
      askConfirm(host.getAttribute("data-confirm") || "Are you sure?", host).then(function (ok) {
        if (!ok) return;
        confirmed.add(form);
        if (typeof form.requestSubmit === "function") {
          if (submitter && submitter.form === form) form.requestSubmit(submitter);
          else form.requestSubmit();
        } else {
          if (submitter && submitter.name) {
            var h = doc.createElement("input");
            h.type = "hidden";
            h.name = submitter.name;
            h.value = submitter.value;
            form.appendChild(h);
          }
          form.submit();
        }
      });
    },
    true
  );

  // Links and stand-alone buttons with data-confirm that neither htmx nor a form submit handles:
  //  - <a href data-confirm> navigates after confirmation;
  //  - any other element (e.g. <button type="button" data-confirm>) receives a bubbling "confirmed" event,
  //    so page scripts listen for "confirmed" instead of "click".
  doc.addEventListener(
    "click",
    function (e) {
      var el = e.target.closest("[data-confirm]");
      if (!el || el.tagName === "FORM" || e.defaultPrevented) return;
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      if (isHtmxDriven(el)) return; // htmx:confirm below asks
      var isSubmit = el.form && /^(submit|image)$/i.test(el.type || "") && el.tagName !== "A";
      if (isSubmit) return; // the submit handler above asks
      e.preventDefault();
      e.stopImmediatePropagation();
      askConfirm(el.getAttribute("data-confirm") || "Are you sure?", el).then(function (ok) {
        if (!ok) return;
        if (el.tagName === "A" && el.href) window.location.assign(el.href);
        else el.dispatchEvent(new CustomEvent("confirmed", { bubbles: true }));
      });
    },
    true
  );

  function isHtmxDriven(el) {
    if (/ (data-)?hx-(get|post|put|patch|delete)=/.test(attrString(el))) return true;
    return el.tagName === "A" && !!el.closest('[hx-boost="true"], [data-hx-boost="true"]');
  }

  function attrString(el) {
    var out = "";
    for (var i = 0; i < el.attributes.length; i++) out += " " + el.attributes[i].name + "=";
    return out;
  }

  // htmx requests (hx-post / hx-delete … on buttons, links, forms): htmx fires htmx:confirm before every
  // request; we take over when the element carries data-confirm or hx-confirm.
  doc.addEventListener("htmx:confirm", function (e) {
    var d = e.detail || {};
    var elt = d.elt;
    if (!elt) return;
    var trig = d.triggeringEvent;
    if (trig && trig.type === "submit" && confirmed.has(elt)) {
      // Already confirmed in the submit handler above.
      confirmed.delete(elt);
      if (d.question) {
        e.preventDefault();
        d.issueRequest(true);
      }
      return;
    }
    var host = null;
    if (trig && trig.submitter && trig.submitter.hasAttribute("data-confirm")) host = trig.submitter;
    else if (elt.hasAttribute("data-confirm")) host = elt;
    var message = host ? host.getAttribute("data-confirm") : d.question;
    if (!message) return;
    e.preventDefault();
    askConfirm(message, host || elt).then(function (ok) {
      if (ok) d.issueRequest(true);
    });
  });

  /* ------------------------------------------------------------------------------------------ */
  /* Keyboard shortcuts                                                                           */
  /* ------------------------------------------------------------------------------------------ */
  function openShortcuts() {
    var d = doc.getElementById("shortcuts-dialog");
    if (!d || d.open) return;
    closeMenus();
    if (dialogSupported) d.showModal();
    else d.setAttribute("open", "");
  }

  doc.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (isTyping(e.target)) return;
    if (doc.querySelector("dialog[open]")) return;
    if (e.key === "/") {
      var targets = Array.prototype.filter.call(doc.querySelectorAll("[data-hotkey-focus]"), isVisible);
      if (!targets.length) return;
      e.preventDefault();
      var t = targets[0];
      t.focus();
      if (typeof t.select === "function" && t.value) t.select();
    } else if (e.key === "?") {
      e.preventDefault();
      openShortcuts();
    }
  });

  doc.addEventListener("click", function (e) {
    if (e.target.closest("[data-shortcuts-open]")) {
      e.preventDefault();
      openShortcuts();
    }
  });

  /* ------------------------------------------------------------------------------------------ */
  /* Dialogs without inline handlers (the CSP forbids them)                                       */
  /* ------------------------------------------------------------------------------------------ */
  // [data-dialog-open="id"] opens <dialog id> (and focuses #[data-dialog-focus]); [data-dialog-close] closes
  // its dialog; <dialog data-dialog-close-on="event other-event"> closes when such an event bubbles up to it
  // (e.g. one an HX-Trigger response header fires on a form inside it).
  doc.addEventListener("click", function (e) {
    var opener = e.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = doc.getElementById(opener.getAttribute("data-dialog-open"));
      if (!dialog || dialog.open) return;
      if (dialogSupported) dialog.showModal();
      else dialog.setAttribute("open", "");
      var focus = opener.getAttribute("data-dialog-focus");
      var target = focus && doc.getElementById(focus);
      if (target) target.focus();
      return;
    }
    var closer = e.target.closest("[data-dialog-close]");
    if (closer) {
      var own = closer.closest("dialog");
      if (own) own.close();
    }
  });

  function initDialogCloseOn(dialog) {
    if (dialog.dataset.closeOnReady) return;
    dialog.dataset.closeOnReady = "1";
    dialog.getAttribute("data-dialog-close-on").split(/\s+/).filter(Boolean).forEach(function (name) {
      dialog.addEventListener(name, function () { if (dialog.open) dialog.close(); });
    });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Navigation: mobile menu + user menu                                                          */
  /* ------------------------------------------------------------------------------------------ */
  function closeMenus(except) {
    doc.querySelectorAll("details.user-menu[open], details[data-menu][open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  function setNavOpen(nav, open) {
    var btn = nav.querySelector("[data-nav-toggle]");
    nav.classList.toggle("is-open", open);
    if (btn) btn.setAttribute("aria-expanded", open ? "true" : "false");
  }

  doc.addEventListener("click", function (e) {
    var toggle = e.target.closest("[data-nav-toggle]");
    if (toggle) {
      var nav = toggle.closest("[data-nav]");
      if (nav) setNavOpen(nav, !nav.classList.contains("is-open"));
      return;
    }
    var inside = e.target.closest("details.user-menu, details[data-menu]");
    closeMenus(inside);
  });

  doc.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var openMenu = doc.querySelector("details.user-menu[open], details[data-menu][open]");
    if (openMenu) {
      openMenu.removeAttribute("open");
      var s = openMenu.querySelector("summary");
      if (s) s.focus();
      return;
    }
    var nav = doc.querySelector("[data-nav].is-open");
    if (nav) {
      setNavOpen(nav, false);
      var b = nav.querySelector("[data-nav-toggle]");
      if (b) b.focus();
    }
  });

  /* ------------------------------------------------------------------------------------------ */
  /* Dropzone                                                                                     */
  /* ------------------------------------------------------------------------------------------ */
  function formatBytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(0) + " KB";
    return (n / (1024 * 1024)).toFixed(1) + " MB";
  }

  function initDropzone(zone) {
    if (zone.dataset.dropzoneReady || zone.dataset.dropzone === "manual") return;
    var input = zone.querySelector('input[type="file"]');
    if (!input) return;
    zone.dataset.dropzoneReady = "1";
    var depth = 0;
    zone.addEventListener("dragenter", function (e) {
      if (!e.dataTransfer || Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") < 0) return;
      depth++;
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove("is-dragover");
    });
    zone.addEventListener("drop", function () {
      depth = 0;
      zone.classList.remove("is-dragover");
      // No file copying here: in our markup the transparent input covers the zone, so the browser puts
      // dropped files on it natively; pages with their own upload script handle the drop themselves.
    });
    // List the chosen files only where the markup asks for it (<ul class="dropzone-files">).
    if (zone.querySelector(".dropzone-files")) {
      input.addEventListener("change", function () { listFiles(zone, input); });
    }
  }

  function listFiles(zone, input) {
    var list = zone.querySelector(".dropzone-files");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (f) {
      var li = doc.createElement("li");
      li.className = "badge badge-primary";
      li.textContent = f.name + " · " + formatBytes(f.size);
      list.appendChild(li);
    });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Chat input + log follow                                                                      */
  /* ------------------------------------------------------------------------------------------ */
  function autogrow(ta) {
    ta.style.height = "auto";
    ta.style.height = Math.min(ta.scrollHeight + 2, 320) + "px";
  }

  doc.addEventListener("input", function (e) {
    var ta = e.target;
    if (ta.tagName === "TEXTAREA" && (ta.hasAttribute("data-autogrow") || ta.closest(".chat-input"))) autogrow(ta);
  });

  doc.addEventListener("keydown", function (e) {
    var ta = e.target;
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || ta.tagName !== "TEXTAREA") return;
    var form = ta.closest("form.chat-input, .chat-input form");
    if (!form || ta.hasAttribute("data-enter-newline")) return;
    e.preventDefault();
    if (!ta.value.trim()) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
  });

  // After an htmx request from a chat form, reset its textarea height.
  doc.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (form && form.matches && form.matches("form.chat-input, .chat-input form")) {
      form.querySelectorAll("textarea").forEach(function (ta) { ta.style.height = ""; });
    }
  });

  function scrollerOf(log) {
    var cs = getComputedStyle(log);
    if (/(auto|scroll)/.test(cs.overflowY) && log.scrollHeight > log.clientHeight) return log;
    return doc.scrollingElement || doc.documentElement;
  }

  function initChatLog(log) {
    if (log.dataset.followReady || !("MutationObserver" in window)) return;
    log.dataset.followReady = "1";
    var atBottom = true;
    function measure() {
      var s = scrollerOf(log);
      var viewBottom = s === log ? s.scrollTop + s.clientHeight : window.scrollY + window.innerHeight;
      atBottom = s.scrollHeight - viewBottom < 160;
    }
    window.addEventListener("scroll", measure, { passive: true });
    log.addEventListener("scroll", measure, { passive: true });
    var pending = false;
    new MutationObserver(function () {
      if (!atBottom || pending) return;
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        var s = scrollerOf(log);
        if (s === log) log.scrollTop = log.scrollHeight;
        else window.scrollTo(0, s.scrollHeight);
      });
    }).observe(log, { childList: true, subtree: true, characterData: true });
  }

  /* ------------------------------------------------------------------------------------------ */
  /* Realtime socket state (htmx ws extension)                                                    */
  /* ------------------------------------------------------------------------------------------ */
  // htmx leaves 4xx bodies unswapped; an error response that names its own target (HX-Retarget, e.g. a toast
  // for #messages from apps/core/hygiene.py) is meant to be shown.
  doc.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.status >= 500 || !xhr.getResponseHeader("HX-Retarget")) return;
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  });

  doc.addEventListener("htmx:wsOpen", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.id === "realtime") el.dataset.state = "open";
  });
  doc.addEventListener("htmx:wsClose", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.id === "realtime") el.dataset.state = "closed";
  });

  /* ------------------------------------------------------------------------------------------ */
  /* Init on load and on every htmx swap (including out-of-band swaps from the websocket)         */
  /* ------------------------------------------------------------------------------------------ */
  function init(root) {
    root = root && root.querySelectorAll ? root : doc;
    initToasts(doc);
    root.querySelectorAll(".dropzone").forEach(initDropzone);
    if (root.matches && root.matches(".dropzone")) initDropzone(root);
    root.querySelectorAll(".chat-log").forEach(initChatLog);
    if (root.matches && root.matches(".chat-log")) initChatLog(root);
    root.querySelectorAll("dialog[data-dialog-close-on]").forEach(initDialogCloseOn);
    if (root.matches && root.matches("dialog[data-dialog-close-on]")) initDialogCloseOn(root);
  }

  onReady(function () {
    init(doc);
    if (window.htmx && typeof window.htmx.onLoad === "function") {
      window.htmx.onLoad(function (el) { init(el); });
    }
  });

  // A small public surface for page scripts.
  window.SmartNotes = { confirm: askConfirm, dismissToast: dismissToast, init: init };
})();
