// The 12-month plan grid: while typing, the running total of the months and its difference
// from the yearly plan. Loaded with defer by the plans page of a unit only; without
// JavaScript the server shows the total after the form is sent and refuses a mismatch.
(function () {
  "use strict";

  var CURRENCY = /\s*(₫|vnđ|vnd|đồng|đ)$/i;
  var AMOUNT = /^(?:[0-9]{1,3}([., ])[0-9]{3}(?:\1[0-9]{3})*|[0-9]+)$/;

  // As core.money.parse_amount, with the leading minus of a planned loss: null if refused.
  function parseSigned(raw) {
    var text = String(raw || "").normalize("NFC").replace(/[\u00a0\u202f]/g, " ").trim();
    var sign = /^[-\u2212]/.test(text) ? -1 : 1;
    if (sign < 0) { text = text.slice(1).trim(); }
    text = text.replace(CURRENCY, "");
    if (!AMOUNT.test(text)) { return null; }
    return sign * parseInt(text.replace(/[., ]/g, ""), 10);
  }

  function grouped(n, mark) {
    var digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, mark);
    return (n < 0 ? "-" : "") + digits;
  }

  function monthName(input) {
    var label = input.closest("label");
    return label ? label.firstChild.textContent.trim() : input.name;
  }

  function setUp(grid) {
    var form = grid.closest("form");
    var line = grid.querySelector("[data-months-total]");
    var sum = line.querySelector("[data-sum]");
    var gap = line.querySelector("[data-gap]");
    var bad = line.querySelector("[data-bad]");
    var mark = sum.dataset.group || ".";
    var months = grid.querySelectorAll("input.month");
    var target = form.elements.namedItem("target");

    function refresh() {
      var total = 0, typed = 0, wrong = [];
      months.forEach(function (input) {
        if (!input.value.trim()) { input.removeAttribute("aria-invalid"); return; }
        var value = parseSigned(input.value);
        typed += 1;
        if (value === null) { wrong.push(monthName(input)); input.setAttribute("aria-invalid", "true"); return; }
        input.removeAttribute("aria-invalid");
        total += value;
      });
      if (!typed && line.hidden) { return; }
      line.hidden = false;
      sum.textContent = grouped(total, mark);
      var year = target ? parseSigned(target.value) : null;
      gap.parentElement.hidden = year === null;
      if (year !== null) {
        gap.textContent = grouped(total - year, mark);
        gap.classList.toggle("bad", total !== year);
        gap.classList.toggle("ok", total === year);
      }
      bad.parentElement.hidden = wrong.length === 0;
      bad.textContent = wrong.join(", ");
    }

    form.addEventListener("input", refresh);
    refresh();
  }

  document.querySelectorAll("fieldset.month-grid").forEach(setUp);
}());
