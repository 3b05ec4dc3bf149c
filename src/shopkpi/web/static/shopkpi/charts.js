/* shopkpi charts: draws every <div data-chart="ID"> from the JSON in <script id="ID" type="application/json">
   (written by Django's json_script) with ECharts. The same numbers are in a table under each chart.

   A chart's JSON:
     {kind: "bar" | "line", categories: [...], horizontal: bool, axes: [{name, max}],
      series: [{name, data, type: "bar" | "line", axis: 0 | 1, stack, label, dashed}]}
     {kind: "heatmap", x: [...], y: [...], data: [[x, y, value]], min, max, name}
*/
(function () {
  "use strict";

  var PALETTE = ["#c2410c", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#57606a"];

  function axisOptions(spec) {
    var axes = spec.axes && spec.axes.length ? spec.axes : [{}];
    var values = axes.map(function (axis, index) {
      return {
        type: "value",
        name: axis.name || "",
        // the names over the left and the right axis stay inside the chart
        nameTextStyle: spec.horizontal ? {} : { align: index === 0 ? "left" : "right" },
        max: axis.max,
        min: axis.min,
        splitLine: { show: index === 0 },
      };
    });
    var categories = {
      type: "category",
      data: spec.categories,
      inverse: !!spec.horizontal, // the first row on top, as in the table
      axisLabel: { interval: 0, hideOverlap: true },
    };
    return spec.horizontal ? { xAxis: values, yAxis: categories } : { xAxis: categories, yAxis: values };
  }

  function seriesOptions(spec) {
    return spec.series.map(function (s) {
      var entry = {
        name: s.name,
        type: s.type || "bar",
        data: s.data,
        stack: s.stack,
        connectNulls: true,
        emphasis: { focus: "series" },
      };
      if (spec.horizontal) {
        entry.xAxisIndex = s.axis || 0;
      } else {
        entry.yAxisIndex = s.axis || 0;
      }
      if (s.label) {
        entry.label = { show: true, position: spec.horizontal ? "right" : "top" };
      }
      if (s.dashed) {
        entry.lineStyle = { type: "dashed" };
      }
      return entry;
    });
  }

  function cartesian(spec) {
    var options = axisOptions(spec);
    options.color = PALETTE;
    options.tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    options.grid = { left: 8, right: 16, top: spec.series.length > 1 ? 48 : 32, bottom: 8, containLabel: true };
    if (spec.series.length > 1) {
      options.legend = { top: 0, type: "scroll" };
    }
    options.series = seriesOptions(spec);
    return options;
  }

  function shortened(text) {
    text = String(text);
    return text.length > 10 ? text.slice(0, 9) + "…" : text;
  }

  function heatmap(spec) {
    return {
      tooltip: {
        position: "top",
        formatter: function (p) {
          return spec.y[p.value[1]] + "<br>" + spec.x[p.value[0]] + "：" + p.value[2];
        },
      },
      grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.x,
        splitArea: { show: true },
        axisLabel: { interval: 0, rotate: spec.x.length > 4 ? 30 : 0, formatter: shortened },
      },
      yAxis: { type: "category", data: spec.y, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: spec.min,
        max: spec.max,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        inRange: { color: ["#cf222e", "#fff8c5", "#1a7f37"] },
      },
      series: [{ name: spec.name, type: "heatmap", data: spec.data, label: { show: true } }],
    };
  }

  function draw(element) {
    if (element.getAttribute("data-drawn") === "1" || typeof window.echarts === "undefined") {
      return;
    }
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "heatmap") {
      // one band per team, room for the KPI names below
      element.style.height = Math.max(320, 160 + spec.y.length * 44) + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.kind === "heatmap" ? heatmap(spec) : cartesian(spec));
    element.setAttribute("data-drawn", "1");
  }

  function drawAll(root) {
    var elements = (root || document).querySelectorAll("[data-chart]");
    for (var i = 0; i < elements.length; i++) {
      draw(elements[i]);
    }
  }

  function resizeAll() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var elements = document.querySelectorAll("[data-chart][data-drawn='1']");
    for (var i = 0; i < elements.length; i++) {
      var chart = window.echarts.getInstanceByDom(elements[i]);
      if (chart) {
        chart.resize();
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
})();
