/*
 * Review page (templates/flashcards/review.html): Space flips the card, 1-4 grade, U undo, E edit, S suspend.
 * Grades are htmx posts that swap #review-card with the next card, so the page never reloads. The time a
 * card was shown is sent with the grade (duration_ms).
 */
(function () {
  "use strict";
  var shownAt = Date.now();

  function root() { return document.getElementById("review-card"); }

  function flipped(section) {
    var card = section && section.querySelector(".review-card");
    return card && card.dataset.state === "back";
  }

  function flip(section) {
    var card = section.querySelector(".review-card");
    if (!card || card.dataset.state === "back") return;
    card.dataset.state = "back";
    section.querySelectorAll("[data-back]").forEach(function (el) { el.hidden = false; });
    var button = section.querySelector("[data-flip]");
    if (button) button.hidden = true;
    var good = section.querySelector('.grade-btn[data-key="3"]');
    if (good) good.focus({ preventScroll: true });
  }

  function click(section, key) {
    var target = section.querySelector('[data-key="' + key + '"]');
    if (!target) return false;
    // A real click: htmx takes the submitted button (name="rating" value=…) from the last button clicked or
    // focused, so requestSubmit(button) would send the focused Good button's rating instead of this one.
    if (target.tagName === "A") { window.location.href = target.href; return true; }
    // htmx binds freshly swapped content only when the swap settles (~20 ms later): a key pressed in between
    // would submit the form natively and reload the page, so bind it now (process is idempotent).
    if (window.htmx && target.form) window.htmx.process(target.form);
    target.click();
    return true;
  }

  document.addEventListener("click", function (event) {
    var section = root();
    if (section && event.target.closest("[data-flip]")) flip(section);
  });

  document.addEventListener("submit", function (event) {
    var duration = event.target.querySelector && event.target.querySelector("[data-duration]");
    if (duration) duration.value = String(Date.now() - shownAt);
  }, true);

  document.body.addEventListener("htmx:afterSwap", function () { shownAt = Date.now(); });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var tag = event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) return;
    var section = root();
    if (!section || document.querySelector("dialog[open]")) return;
    var key = event.key.toLowerCase();
    if (key === " " || key === "spacebar") {
      event.preventDefault();
      if (!flipped(section)) flip(section);
    } else if ("1234".indexOf(key) >= 0 && key.length === 1) {
      if (flipped(section) && click(section, key)) event.preventDefault();
    } else if (key === "u" || key === "e" || key === "s") {
      if (click(section, key)) event.preventDefault();
    }
  });
})();
