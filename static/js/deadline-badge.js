// Fills the navigation's deadline badge ("Hạn gửi: còn N ngày") from a small JSON
// endpoint, so rendering a page costs no query for it.
(function () {
  var badge = document.querySelector("[data-testid=deadline-badge][data-url]");
  if (!badge) return;
  fetch(badge.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.text) return;
      badge.textContent = data.text;
      badge.title = data.title;
      if (data.soon) badge.classList.add("soon");
      badge.hidden = false;
    })
    .catch(function () {});
})();
