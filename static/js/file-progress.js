// Polls each running file's progress bar and reloads the page when one finishes
// (the same pattern as progress.js of the import page, for several jobs at once).
(function () {
  var boxes = document.querySelectorAll(".progress[data-url]");
  if (!boxes.length) return;
  function poll(box) {
    var bar = box.querySelector(".bar"), label = box.querySelector("span");
    var status = box.parentNode.querySelector(".status");
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        label.textContent = data.progress + "%";
        box.setAttribute("aria-valuenow", data.progress);
        if (status) status.textContent = data.label;
        if (["queued", "running"].indexOf(data.status) === -1) {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(box); }, 1000);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  boxes.forEach(function (box) { window.setTimeout(function () { poll(box); }, 500); });
})();
