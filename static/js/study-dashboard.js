/*
 * MySmartNotes — study-dashboard.js: draws the /study/ charts with the vendored Chart.js from the JSON the page
 * carries (#study-charts). Without JS (or without Chart.js) the page shows the same numbers as tables; with
 * charts drawn, the tables fold away behind "Show as a table". Colours come from app.css tokens, so the charts
 * follow light and dark mode.
 */
(function () {
  "use strict";

  var dataNode = document.getElementById("study-charts");
  if (!dataNode || typeof window.Chart !== "function") return;
  var data = JSON.parse(dataNode.textContent);
  var css = getComputedStyle(document.documentElement);
  function token(name, fallback) {
    return (css.getPropertyValue(name) || "").trim() || fallback;
  }
  var text = token("--text-muted", "#646b85");
  var grid = token("--border", "#e3e6ef");
  var typeColours = {
    reading: token("--info", "#2563eb"),
    chat: token("--primary", "#4f46e5"),
    quiz: token("--warning", "#b45309"),
    flashcards: token("--accent", "#0ea5a4"),
  };
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.color = text;
  Chart.defaults.borderColor = grid;
  Chart.defaults.font.family = token("--font-sans", "system-ui, sans-serif");
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  if (reduceMotion) Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;

  var dayLabels = data.days.map(function (iso) {
    var parts = iso.split("-");
    var d = new Date(+parts[0], +parts[1] - 1, +parts[2]);
    return d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  });

  function show(canvas) {
    var box = canvas.closest("[data-chart-box]");
    if (box) box.hidden = false;
    var card = canvas.closest(".card-body");
    var table = card && card.querySelector("[data-chart-table]");
    if (table) table.open = false;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return null;
    show(canvas);
    var chart = new Chart(canvas, config);
    canvas.dataset.chartReady = "1";
    return chart;
  }

  function minutesLabel(value) {
    var m = Math.round(value);
    if (m < 60) return m + " min";
    return Math.floor(m / 60) + " h " + String(m % 60).padStart(2, "0") + " min";
  }

  draw("chart-time", {
    type: "bar",
    data: {
      labels: dayLabels,
      datasets: data.time.map(function (s) {
        return { label: s.label, data: s.minutes, backgroundColor: s.color, borderRadius: 3, maxBarThickness: 22 };
      }),
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "minutes" } },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          filter: function (item) { return item.parsed.y > 0; },
          callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + minutesLabel(ctx.parsed.y); } },
        },
      },
    },
  });

  draw("chart-sessions", {
    type: "bar",
    data: {
      labels: data.sessions.subjects,
      datasets: data.sessions.types.map(function (t) {
        return { label: t.label, data: t.counts, backgroundColor: typeColours[t.type], borderRadius: 3, maxBarThickness: 26 };
      }),
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "sessions" } },
        y: { stacked: true, grid: { display: false } },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });

  var weak = data.weak_score;
  draw("chart-quiz", {
    type: "line",
    data: {
      labels: dayLabels,
      datasets: [
        {
          label: "Average score",
          data: data.quiz,
          borderColor: token("--primary", "#4f46e5"),
          backgroundColor: token("--primary", "#4f46e5"),
          pointRadius: 4,
          pointHoverRadius: 6,
          spanGaps: true,
          tension: 0.25,
        },
        {
          label: weak + " % (weak below)",
          data: data.days.map(function () { return weak; }),
          borderColor: token("--danger", "#dc2626"),
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
          pointHoverRadius: 0,
        },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { min: 0, max: 100, ticks: { stepSize: 25, callback: function (v) { return v + " %"; } } },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          filter: function (item) { return item.datasetIndex === 0 && item.parsed.y !== null; },
          callbacks: { label: function (ctx) { return "Average: " + ctx.parsed.y + " %"; } },
        },
      },
    },
  });
})();
