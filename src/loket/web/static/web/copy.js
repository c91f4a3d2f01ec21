// Copy buttons: <button data-copy-target="ID"> copies the value of the input with that id.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  if (!input) return;
  var done = button.parentElement.querySelector("[data-copy-done]");
  var shown = function () { if (done) done.hidden = false; };
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(shown, function () { document.execCommand("copy"); shown(); });
  } else {
    document.execCommand("copy");
    shown();
  }
});
