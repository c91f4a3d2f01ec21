// Behaviour every page may use, kept out of the HTML (the Content-Security-Policy allows no
// inline script): a select that submits its form on change (the language menu; a <noscript>
// button covers browsers without JavaScript), and a button that prints the page.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-submit-on-change]")) event.target.form.submit();
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) window.print();
});
