// The review page's score trend (review/page.html): the periods and scores from the "trend-data" JSON.
(function () {
  var element = document.getElementById("trend-chart");
  if (!element || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var chart = window.echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.periods },
    yAxis: { type: "value", name: element.dataset.label || "" },
    series: [{ type: "line", data: data.scores.map(Number), label: { show: true } }],
    grid: { left: 48, right: 24, top: 32, bottom: 32 }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
