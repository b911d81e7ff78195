// Dossier intake: the fees shown follow the channel and home-delivery choices, with their total.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=intake-form]");
  if (!form) { return; }
  var total = form.querySelector("[data-testid=intake-form-total]");
  var suffix = total ? total.textContent.replace(/^[\d.\s]+/, "") : "";
  var sep = total ? (total.textContent.match(/^[\d.]+(\s)/) || ["", " "])[1] : " ";
  suffix = sep + suffix.trim();

  function charged(when) {
    if (when === "home_pickup") { return form.elements.channel.value === "home"; }
    if (when === "home_delivery") { return form.elements.home_delivery.checked; }
    return true;
  }

  function update() {
    var sum = 0;
    form.querySelectorAll("tr[data-fee]").forEach(function (row) {
      var on = charged(row.getAttribute("data-when") || "");
      row.hidden = !on;
      if (on) { sum += parseInt(row.getAttribute("data-fee"), 10) || 0; }
    });
    if (total) { total.textContent = String(sum).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + suffix; }
  }

  form.elements.channel.addEventListener("change", update);
  form.elements.home_delivery.addEventListener("change", update);
})();
