/* The admin's search boxes (select2) named after their field's label, so that a
   screen reader announces what is chosen there: select2 draws a combobox whose
   only name is the current choice, empty before one is made. Runs once the
   page has loaded, after the admin has drawn its search boxes. */
window.addEventListener("load", function () {
  document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var box = select.parentElement.querySelector(".select2-selection[role=combobox]");
    if (label && box) {
      var name = label.textContent.replace(/[:*\s]+$/, "").trim();
      box.setAttribute("aria-label", name);
      box.querySelectorAll("[role=textbox]").forEach(function (shown) {
        shown.setAttribute("aria-label", name);
      });
    }
  });
});
