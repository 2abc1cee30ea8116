/*
 * Quiz taken in the browser (templates/documents/quiz_take.html). Without JS every question is on the page and
 * the form posts normally. With JS: in "one" mode one question shows at a time; everywhere A-D pick an answer
 * of the current question, Enter goes to the next one (and submits after the last), arrows move between them.
 */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll(".quiz-question"));
  var oneAtATime = form.dataset.quizMode === "one";
  var progress = form.querySelector("[data-quiz-progress]");
  var counter = form.querySelector("[data-quiz-counter]");
  var answered = form.querySelector("[data-quiz-answered]");
  var bar = progress && progress.querySelector(".progress-bar");
  var submit = form.querySelector("[data-quiz-submit]");
  var current = 0;

  function answeredCount() {
    return questions.filter(function (q) { return q.querySelector("input:checked"); }).length;
  }

  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (q, i) {
      if (oneAtATime) q.hidden = i !== current;
      q.classList.toggle("is-current", i === current);
      var prev = q.querySelector("[data-quiz-prev]");
      if (prev) prev.disabled = i === 0;
    });
    if (oneAtATime) {
      submit.hidden = current !== questions.length - 1;
      var first = questions[current].querySelector("input:checked") || questions[current].querySelector("input");
      if (first) first.focus({ preventScroll: !oneAtATime });
    } else {
      questions[current].scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
    update();
  }

  function update() {
    var n = answeredCount();
    if (counter) counter.textContent = "Question " + (current + 1) + " of " + questions.length;
    if (answered) answered.textContent = n + " answered";
    if (bar) bar.style.width = Math.round((100 * n) / questions.length) + "%";
    if (progress) progress.querySelector(".progress").setAttribute("aria-valuenow", String(n));
  }

  function next() {
    if (current < questions.length - 1) show(current + 1);
    else if (typeof form.requestSubmit === "function") form.requestSubmit(submit);
    else form.submit();
  }

  if (progress) progress.hidden = false;
  form.querySelectorAll("[data-quiz-nav]").forEach(function (nav) { nav.hidden = !oneAtATime; });
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-quiz-next]")) next();
    if (event.target.closest("[data-quiz-prev]")) show(current - 1);
  });
  form.addEventListener("change", update);
  form.addEventListener("focusin", function (event) {
    var q = event.target.closest(".quiz-question");
    if (q && !oneAtATime) { current = questions.indexOf(q); update(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target.tagName;
    if (tag === "TEXTAREA" || (tag === "INPUT" && event.target.type !== "radio")) return;
    var key = event.key.toUpperCase();
    if ("ABCD".indexOf(key) >= 0 && key.length === 1) {
      var input = questions[current].querySelector('input[data-letter="' + key + '"]');
      if (input) { input.checked = true; input.focus(); update(); event.preventDefault(); }
    } else if (event.key === "Enter") {
      event.preventDefault();
      next();
    } else if (event.key === "ArrowRight" && oneAtATime) {
      event.preventDefault(); show(current + 1);
    } else if (event.key === "ArrowLeft" && oneAtATime) {
      event.preventDefault(); show(current - 1);
    }
  });
  show(0);
})();
