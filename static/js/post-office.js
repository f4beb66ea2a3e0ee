// The post office's page: "select all" without a page load. Without script the same link
// draws the page again with every box ticked, and the header checkbox stays hidden.
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="chon"][form="bulk"]'));
  var header = document.getElementById("select-all");
  var link = document.querySelector("a[data-select-all]");
  var counter = document.querySelector("[data-selected-count]");
  if (!boxes.length) {
    if (link) link.hidden = true;
    return;
  }

  function ticked() {
    return boxes.filter(function (box) { return box.checked; }).length;
  }

  function refresh() {
    var n = ticked();
    if (header) {
      header.checked = n === boxes.length;
      header.indeterminate = n > 0 && n < boxes.length;
    }
    if (link) link.textContent = n === boxes.length ? link.dataset.labelNone : link.dataset.labelAll;
    if (counter) counter.textContent = n ? counter.dataset.label + " " + n.toLocaleString("vi-VN") : "";
  }

  function setAll(checked) {
    boxes.forEach(function (box) { box.checked = checked; });
    refresh();
  }

  if (header) {
    header.hidden = false;
    header.addEventListener("change", function () { setAll(header.checked); });
  }
  if (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      setAll(ticked() !== boxes.length);
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", refresh); });
  refresh();
})();
