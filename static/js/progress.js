// Polls the import's progress and reloads the page when the job is done.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector(".bar"), label = box.querySelector("span");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        label.textContent = data.progress + "%";
        box.setAttribute("aria-valuenow", data.progress);
        status.textContent = data.label;
        if (["pending", "validating", "writing"].indexOf(data.status) === -1) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
