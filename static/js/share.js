/*
 * MySmartNotes — share.js (share links)
 *  - [data-copy-button] copies the [data-copy-source] value of its [data-copy-group] and says so.
 *  - Visitor questions ([data-share-ask] htmx form): 400/429 answers (empty question, rate limit) are
 *    swapped in like answers, so the message shows; the input is cleared after an answer.
 */
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(input.value);
    input.select();
    var ok = document.execCommand && document.execCommand("copy");
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy-button]");
    if (!button) return;
    var group = button.closest("[data-copy-group]");
    var input = group && group.querySelector("[data-copy-source]");
    var label = button.querySelector("[data-copy-label]") || button;
    if (!input) return;
    copyText(input).then(
      function () { label.textContent = "Copied"; },
      function () { input.select(); label.textContent = "Press Ctrl+C to copy"; }
    );
    setTimeout(function () { label.textContent = "Copy link"; }, 2500);
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || !elt.closest || !elt.closest("[data-share-ask]")) return;
    var status = e.detail.xhr.status;
    if (status === 400 || status === 429) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target.closest && e.target.closest("[data-share-ask]");
    if (form && e.detail.xhr.status === 200) form.reset();
  });
})();
