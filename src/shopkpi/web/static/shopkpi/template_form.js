// The template form (editor/form.html): the weights' sum kept live beside the weights, as the server
// checks it (a weight of 20 or 20% is 20 points of 100).
(function () {
  "use strict";
  function update() {
    var shown = document.getElementById("weight-sum");
    if (!shown) return;
    var total = 0;
    document.querySelectorAll("input[data-weight]").forEach(function (field) {
      var value = parseFloat(field.value.replace(/[%,\s]/g, ""));
      if (!isNaN(value)) total += value;
    });
    total = Math.round(total * 1000) / 1000;
    shown.querySelector("output").textContent = String(total);
    shown.classList.toggle("ok", total === 100);
    shown.classList.toggle("bad", total !== 100);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-weight]")) update();
  });
  document.addEventListener("DOMContentLoaded", update);
})();
