// Drag-and-drop upload with per-file progress. One request per file, so each file gets its own progress
// bar and its own error; accepted files appear in the lecture list and then update live over the websocket.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  if (!zone) return;
  const input = document.getElementById("file-input");
  const list = document.getElementById("upload-list");
  const lectures = document.getElementById("lecture-list");
  const url = zone.dataset.uploadUrl;
  const csrf = zone.querySelector("input[name=csrfmiddlewaretoken]").value;

  function row(file) {
    const li = document.createElement("li");
    li.className = "upload-item card";
    li.innerHTML =
      '<div class="card-body stack"><div class="cluster"><strong class="truncate"></strong>' +
      '<span class="small muted" data-role="state">Uploading…</span></div>' +
      '<div class="progress"><div class="progress-bar is-active" style="width:0%"></div></div></div>';
    li.querySelector("strong").textContent = file.name;
    list.prepend(li);
    return li;
  }

  function fail(li, message) {
    li.classList.add("is-error");
    li.querySelector(".progress").remove();
    const state = li.querySelector("[data-role=state]");
    state.textContent = "";
    const alert = document.createElement("p");
    alert.className = "alert alert-error small";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    li.querySelector(".card-body").appendChild(alert);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-ghost btn-sm";
    close.textContent = "Dismiss";
    close.addEventListener("click", () => li.remove());
    li.querySelector(".cluster").appendChild(close);
  }

  function send(file) {
    const li = row(file);
    const bar = li.querySelector(".progress-bar");
    const state = li.querySelector("[data-role=state]");
    const form = new FormData();
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      bar.style.width = pct + "%";
      state.textContent = pct < 100 ? "Uploading… " + pct + "%" : "Checking the file…";
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 201) {
        li.remove();
        const empty = document.getElementById("lectures-empty");
        if (empty) empty.remove();
        lectures.insertAdjacentHTML("afterbegin", xhr.responseText);
        if (window.htmx) htmx.process(lectures.firstElementChild);
        return;
      }
      let message = "The upload failed (" + xhr.status + "). Try again.";
      try { message = JSON.parse(xhr.responseText).error || message; } catch (_) { /* not JSON */ }
      fail(li, message);
    });
    xhr.addEventListener("error", () => fail(li, "The connection was lost during the upload. Try again."));
    xhr.send(form);
  }

  function handle(files) {
    Array.from(files).forEach(send);
  }

  input.addEventListener("change", () => { handle(input.files); input.value = ""; });
  zone.addEventListener("click", (e) => { if (e.target === zone) input.click(); });
  zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  zone.tabIndex = 0;
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => {
    e.preventDefault();
    zone.classList.add("is-dragover");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, (e) => {
    e.preventDefault();
    zone.classList.remove("is-dragover");
  }));
  zone.addEventListener("drop", (e) => handle(e.dataTransfer.files));
})();
