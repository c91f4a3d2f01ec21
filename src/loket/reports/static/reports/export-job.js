// An export's page: while the worker builds the file, ask its status (JSON) every 2 seconds and
// show the progress; when it is done, show the download link; when it failed, the reason. No
// inline script (the Content-Security-Policy allows none); without JavaScript the page has a
// link to load itself again.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-job]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("[data-export-bar]");
  var state = box.querySelector("[data-export-state]");
  var step = box.querySelector("[data-export-step]");
  var download = box.querySelector("[data-export-download]");
  var link = box.querySelector("[data-export-link]");
  var error = box.querySelector("[data-export-error]");
  var refresh = box.querySelector("[data-export-refresh]");
  var expires = box.querySelector("[data-export-expires]");

  function show(s) {
    bar.value = s.progress;
    bar.textContent = s.progress + "%";
    state.textContent = s.label + " · " + s.progress + "%";
    step.textContent = s.step || "";
    if (s.download) {
      link.href = s.download;
      link.textContent = s.link_text;
      if (expires) expires.textContent = s.expires_text;
      download.hidden = false;
    }
    if (s.error) {
      error.textContent = s.error;
      error.hidden = false;
    }
    if (!s.waiting && refresh) refresh.hidden = true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        show(s);
        if (s.waiting) window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (refresh) window.setTimeout(poll, 2000);
})();
