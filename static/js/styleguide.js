/* Styleguide-only demos (templates/core/styleguide.html): toasts, dialogs, and forms that never submit. */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-demo-toast]");
    if (t) {
      var level = t.getAttribute("data-demo-toast");
      var box = document.getElementById("messages");
      var el = document.createElement("div");
      el.className = "toast alert alert-" + level;
      el.setAttribute("role", level === "error" ? "alert" : "status");
      el.setAttribute("data-autodismiss", "");
      el.innerHTML = '<div class="alert-content">' + (level === "error" ? "Upload rejected: file type not allowed." : "Saved. Your changes are live.") + "</div>";
      box.appendChild(el);
      window.SmartNotes && SmartNotes.init(el);
      return;
    }
    var d = e.target.closest("[data-demo-dialog]");
    if (d) document.getElementById(d.getAttribute("data-demo-dialog")).showModal();
  });

  document.addEventListener("submit", function (e) {
    if (e.target.closest("[data-demo-form]")) e.preventDefault();
  });
})();
