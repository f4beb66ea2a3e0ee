// A submit button marked data-once is disabled after the first click (the server refuses a second anyway).
document.querySelectorAll("button[data-once], input[type=submit][data-once]").forEach(function (button) {
  button.form.addEventListener("submit", function () { button.disabled = true; });
});
