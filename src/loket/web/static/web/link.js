// The one-time link's page (/akun/tautan/#TOKEN). The token is in the address's fragment, which
// browsers never send to a server, so it is in no access log, proxy log or Referer header. This
// script moves it into the reveal form's hidden field (it then travels only in the POST body),
// hides the field for pasting it by hand (the path for browsers without JavaScript), and takes
// it out of the address bar and the history entry.
(function () {
  var form = document.getElementById("reveal-form");
  if (!form) return;
  var token = "";
  try {
    token = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  } catch (e) {
    token = "";
  }
  if (!token) return;  // no fragment (or it was lost): the holder pastes the link or the code
  form.elements.token.value = token;
  var entry = form.querySelector("[data-code-entry]");
  if (entry) {
    entry.hidden = true;
    form.elements.kode.required = false;
  }
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
})();
