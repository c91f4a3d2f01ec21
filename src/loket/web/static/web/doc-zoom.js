// The case page's document viewer: "Perbesar" shows an image at its own size (scroll to read),
// again to fit it to the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-zoom]");
  if (!button) return;
  var figure = button.closest("figure");
  var zoomed = figure.classList.toggle("zoomed");
  button.setAttribute("aria-pressed", zoomed ? "true" : "false");
});
