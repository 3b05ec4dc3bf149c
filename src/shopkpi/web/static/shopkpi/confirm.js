// Steps that cannot be undone ask first, saying what follows (issue 12, safe actions). No inline
// handlers: a form, or the button that submits it, carries the question in data attributes.
//   data-confirm="…"        always asked; {count} and {total} are the boxes ticked for the form
//                           (input[form=<id>]:checked, each with data-pay) and their pay, {wage}
//                           the whole wages among them (data-wage), summed apart;
//                           {field:NAME} is the value of the form's field NAME
//   data-confirm-empty="…"  asked only when every rating and text field of the form is empty
(function () {
  "use strict";

  function money(value) {
    return "¥" + value.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function ticked(form) {
    if (!form.id) return [];
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][form="' + form.id + '"]:checked')
    );
  }

  function filled(form) {
    var fields = form.querySelectorAll('select[name^="rating-"], input[name^="rating-"], textarea');
    return Array.prototype.some.call(fields, function (field) {
      return field.value.trim() !== "";
    });
  }

  function summed(boxes, key) {
    return boxes.reduce(function (sum, box) {
      return sum + (parseFloat(box.dataset[key] || "0") || 0);
    }, 0);
  }

  function worded(text, form) {
    var boxes = ticked(form);
    return text
      .replace("{count}", String(boxes.length))
      .replace("{total}", money(summed(boxes, "pay")))
      .replace("{wage}", money(summed(boxes, "wage")))
      .replace(/\{field:([\w-]+)\}/g, function (_, name) {
        var field = form.elements[name];
        return field ? field.value : "";
      });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var button = event.submitter || null;
      var source = button && (button.dataset.confirm || button.dataset.confirmEmpty) ? button : form;
      var question = source.dataset.confirm;
      if (!question && source.dataset.confirmEmpty && !filled(form)) question = source.dataset.confirmEmpty;
      if (question && !window.confirm(worded(question, form))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
