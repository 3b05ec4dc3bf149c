// The template editor (editor/edit.html): a problem's line link also puts the caret on that line of the text, and the numbered listing
// scrolls to the first problem after each check
(function () {
  function lineStart(text, line) {
    var at = 0;
    for (var n = 1; n < line && at >= 0; n++) { at = text.indexOf("\n", at) + 1; if (at === 0) { return text.length; } }
    return at;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-line]") : null;
    var area = document.getElementById("template-text");
    if (!link || !area) { return; }
    event.preventDefault();
    var item = document.getElementById("line-" + link.getAttribute("data-line"));
    var listing = item ? item.parentNode : null;
    if (listing) { listing.scrollTop = Math.max(0, item.offsetTop - listing.clientHeight / 3); }
    var start = lineStart(area.value, parseInt(link.getAttribute("data-line"), 10));
    var end = area.value.indexOf("\n", start);
    area.focus();
    area.setSelectionRange(start, end < 0 ? area.value.length : end);
    var height = area.scrollHeight / Math.max(1, area.value.split("\n").length);
    area.scrollTop = Math.max(0, (parseInt(link.getAttribute("data-line"), 10) - 5) * height);
  });
  function showFirstProblem() {
    var listing = document.querySelector("ol.yaml-lines");
    var first = listing ? listing.querySelector("li.problem") : null;
    if (first) { listing.scrollTop = Math.max(0, first.offsetTop - listing.clientHeight / 3); }
  }
  document.addEventListener("DOMContentLoaded", showFirstProblem);
  document.addEventListener("htmx:afterSettle", showFirstProblem);
})();
