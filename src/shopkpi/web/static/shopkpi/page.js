// Behaviour every page may use, wired by data attributes instead of inline handlers (the
// Content-Security-Policy runs no inline script). Listeners sit on the document, so content
// that HTMX swaps in later works too.
//   <select data-submit-on-change>            submits its form when changed (the language menu)
//   <input type="checkbox" data-select-all="CSS selector">   ticks or clears every box it names
//   <button data-print>                       prints the page
(function () {
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-submit-on-change]") && target.form) { target.form.submit(); }
    if (target.matches("input[data-select-all]")) {
      var boxes = document.querySelectorAll(target.getAttribute("data-select-all"));
      for (var i = 0; i < boxes.length; i++) { boxes[i].checked = target.checked; }
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) { window.print(); }
  });
})();
