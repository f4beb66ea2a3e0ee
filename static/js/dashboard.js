// Draws the dashboard's charts with the vendored Chart.js; every number is also
// in the table beside the chart (screen readers, printing, no JavaScript).
(function () {
  if (typeof Chart === "undefined") return;
  function draw(canvasId, dataId, type, label) {
    var canvas = document.getElementById(canvasId), source = document.getElementById(dataId);
    if (!canvas || !source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: [{ label: label, data: data.share, borderColor: "#1f5fa8", backgroundColor: "rgba(31, 95, 168, 0.35)", tension: 0.2, fill: type === "line" }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: { legend: { display: false } }
      }
    });
  }
  draw("chart-months", "chart-months-data", "line", "% qua tài khoản");
  draw("chart-programme", "chart-programme-data", "bar", "% qua tài khoản");
})();
