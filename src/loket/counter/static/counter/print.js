// The ticket slip's print button.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
