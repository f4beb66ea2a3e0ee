// The navigation's groups are <details>: they open and close without script, by mouse and
// keyboard. This only tidies up: one group open at a time, closed by Escape or a click elsewhere.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll(".nav-group details"));
  if (!groups.length) return;
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) return;
      groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (group.open && !group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (!group.open) return;
      group.open = false;
      if (group.contains(document.activeElement)) group.querySelector("summary").focus();
    });
  });
})();
