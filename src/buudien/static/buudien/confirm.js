// A form with data-confirm asks before it is sent: an action that cannot be undone
// (returning a line, closing a list) is confirmed once more. Loaded with defer by the pages
// that have such forms; without JavaScript the server still refuses an incomplete form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
