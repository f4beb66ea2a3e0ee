/* The admin's search boxes (select2) named after their field's label, so that a
   screen reader announces what is chosen there: select2 draws a combobox whose
   only name is the current choice, empty before one is made. The admin draws
   its boxes when it is ready, which may come before or after the page's load:
   every box is named as soon as it appears. */
(function () {
  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      if (!label || !box || box.hasAttribute("aria-label")) {
        return;
      }
      var name = label.textContent.replace(/[:*\s]+$/, "").trim();
      box.setAttribute("aria-label", name);
      box.querySelectorAll("[role=textbox]").forEach(function (shown) {
        shown.setAttribute("aria-label", name);
      });
    });
  }
  new MutationObserver(nameBoxes).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", nameBoxes);
  window.addEventListener("load", nameBoxes);
})();
