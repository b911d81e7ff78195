// A button with data-print prints the page (a slip, a list to sign). Loaded with defer only by
// the pages that have one; the button itself carries the class noprint, so it is not printed.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (!button) return;
  event.preventDefault();
  window.print();
});
