/* The counter's basket: search as you type, add with Enter or a tile, totals and change,
   Esc removes a line, F9 / Ctrl+Enter pays; and the Print buttons. No framework. */
(function () {
  "use strict";

  function parseAmount(text) {
    var digits = String(text || "").replace(/[.\s₫đ]/g, "");
    return /^\d+$/.test(digits) ? parseInt(digits, 10) : null;
  }
  function money(n) { return n.toLocaleString("vi-VN") + " ₫"; }

  document.addEventListener("click", function (ev) {
    var target = ev.target.closest && ev.target.closest("[data-print]");
    if (target) { ev.preventDefault(); window.print(); }
  });

  var form = document.getElementById("basket");
  if (!form) { return; }
  var rows = document.getElementById("basket-rows");
  var results = document.getElementById("basket-results");
  var query = document.getElementById("basket-q");
  var given = document.getElementById("cash-given");
  var due = document.getElementById("basket-due");
  var cashDue = document.getElementById("basket-cash-due");
  var method = document.getElementById("basket-method");
  var change = document.getElementById("basket-change");
  var payButton = document.getElementById("basket-pay");

  function lineAmount(row) {
    var amount = row.querySelector("[name=amount]");
    var typed = parseAmount(amount && amount.value);
    if (typed !== null) { return typed; }
    var price = parseInt(row.dataset.price || "", 10);
    var qty = parseInt((row.querySelector("[name=qty]") || {}).value || "1", 10) || 1;
    return isNaN(price) ? 0 : price * qty;
  }

  /* A service line is paid by its own method or the transaction's; a payout is cash. */
  function inCash(row) {
    var own = row.querySelector("select[name=line_method]");
    if (!own) { return true; }
    return (own.value || (method && method.value) || "cash") === "cash";
  }

  function signed(n) { return n >= 0 ? money(n) : "−" + money(-n); }

  function refresh() {
    var total = 0;
    var cashTotal = 0;
    rows.querySelectorAll("tr[data-row]").forEach(function (row) {
      var code = row.querySelector("[name=code]");
      var ref = row.querySelector("[name=ref]");
      if (!(code && code.value) && !(ref && ref.value)) { return; }
      var amount = (row.dataset.direction === "out" ? -1 : 1) * lineAmount(row);
      total += amount;
      if (inCash(row)) { cashTotal += amount; }
    });
    due.textContent = signed(total);
    if (cashDue) { cashDue.textContent = signed(cashTotal); }
    var cash = parseAmount(given.value);
    if (cash === null) { cash = Math.max(cashTotal, 0); }
    var back = cash - cashTotal;
    change.textContent = back >= 0 ? money(back) : "−" + money(-back);
    change.classList.toggle("bad", back < 0);
  }

  function dropBlankRows() {
    rows.querySelectorAll("tr[data-blank]").forEach(function (row) {
      var code = row.querySelector("[name=code]");
      if (!code.value) { row.remove(); }
    });
  }

  function add(pick) {
    var kind = pick.dataset.kind;
    var template = document.getElementById(kind === "service" ? "row-service" : "row-other");
    var row = template.content.firstElementChild.cloneNode(true);
    row.dataset.direction = pick.dataset.direction || "in";
    row.dataset.price = pick.dataset.price || "";
    row.querySelector("[name=kind]").value = kind;
    row.querySelector("[name=ref]").value = pick.dataset.ref || "";
    row.querySelector("[name=code]").value = pick.dataset.code || "";
    row.querySelector("[data-name]").textContent = pick.dataset.name;
    row.querySelector("[data-detail]").textContent = pick.dataset.detail || "";
    var remove = row.querySelector("[data-remove]");
    remove.removeAttribute("name");
    remove.type = "button";
    if (kind === "service") {
      var amount = row.querySelector("[name=amount]");
      amount.placeholder = pick.dataset.price ? money(parseInt(pick.dataset.price, 10)) : amount.placeholder;
    } else {
      var authorised = row.querySelector("option[value=authorised]");
      if (authorised && pick.dataset.authorised) {
        authorised.textContent = authorised.dataset.label + pick.dataset.authorised;
      } else if (authorised) {
        authorised.remove();
      }
      var out = row.dataset.direction === "out" ? "−" : "";
      row.querySelector("[name=amount]").value = pick.dataset.amount;
      row.querySelector("[data-amount]").textContent = out + money(parseInt(pick.dataset.amount, 10));
    }
    dropBlankRows();
    rows.appendChild(row);
    results.textContent = "";
    query.value = "";
    refresh();
    var focus = kind === "service"
      ? row.querySelector(pick.dataset.price ? "[name=qty]" : "[name=amount]")
      : query;
    focus.focus();
    if (focus.select) { focus.select(); }
  }

  function button(item) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "pick";
    Object.keys(item.data).forEach(function (k) { b.dataset[k] = item.data[k]; });
    var name = document.createElement("b");
    name.textContent = item.data.name;
    var small = document.createElement("small");
    small.textContent = " " + item.small;
    b.appendChild(name);
    b.appendChild(small);
    return b;
  }

  function show(found) {
    results.textContent = "";
    found.services.forEach(function (s) {
      results.appendChild(button({
        data: { kind: "service", code: s.code, name: s.name, detail: s.code, price: s.price === null ? "" : String(s.price) },
        small: s.code + (s.price ? " · " + money(s.price) : "")
      }));
    });
    found.others.forEach(function (o) {
      results.appendChild(button({
        data: { kind: o.kind, ref: o.ref, name: o.name, detail: o.detail, amount: String(o.amount), direction: o.direction, authorised: o.authorised || "" },
        small: o.detail + " · " + (o.direction === "out" ? "−" : "") + money(o.amount)
      }));
    });
    if (!found.services.length && !found.others.length && query.value.trim()) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = form.dataset.nothing || "—";
      results.appendChild(p);
    }
  }

  var timer = null;
  var asked = "";
  function search() {
    var q = query.value.trim();
    asked = q;
    if (!q) { results.textContent = ""; return Promise.resolve(); }
    return fetch(form.dataset.searchUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (found) { if (asked === q) { show(found); } });
  }
  query.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  // What the clerk typed while the script was still loading (a slow link) is searched now.
  if (query.value.trim()) { search(); }

  function pay() {
    if (payButton) { payButton.click(); }
  }

  form.addEventListener("click", function (ev) {
    var pick = ev.target.closest(".pick");
    if (pick) { ev.preventDefault(); add(pick); return; }
    var remove = ev.target.closest("[data-remove]");
    if (remove) {
      ev.preventDefault();
      remove.closest("tr").remove();
      refresh();
      query.focus();
    }
  });

  form.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (ev.key === "F9" || (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey))) {
      ev.preventDefault();
      pay();
      return;
    }
    if (ev.key === "Escape") {
      var row = el.closest && el.closest("tr[data-row]");
      if (row) { ev.preventDefault(); row.remove(); refresh(); query.focus(); }
      else if (el === query) { query.value = ""; results.textContent = ""; }
      return;
    }
    if (ev.key !== "Enter" || el.tagName === "BUTTON" || el.tagName === "TEXTAREA") { return; }
    ev.preventDefault();
    if (el === query) {
      clearTimeout(timer);
      search().then(function () {
        var first = results.querySelector(".pick");
        if (first) { add(first); }
      });
    } else if (el === given) {
      pay();
    } else {
      query.focus();
    }
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "F9" && !form.contains(ev.target)) { ev.preventDefault(); pay(); }
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.addEventListener("submit", dropBlankRows);
  refresh();
})();
