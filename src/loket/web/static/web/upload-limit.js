// Refuses a file over the size limit before the form sends it. Each file input that carries
// data-max-bytes (bytes) and data-too-large (the message, with {name} and {size}: the file's, in MB) gets a
// message beside it (<p class="field-message">, linked with aria-describedby) and a custom
// validity, so the browser keeps the form from being sent until a smaller file is chosen.
// The server checks the size again whatever this script does (or when it does not run).
(function () {
  "use strict";

  function messageFor(input) {
    var id = input.id + "_size_error";
    var message = document.getElementById(id);
    if (!message) {
      message = document.createElement("p");
      message.className = "field-message";
      message.id = id;
      message.setAttribute("role", "alert");
      message.hidden = true;
      input.parentNode.insertBefore(message, input);
    }
    return message;
  }

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  // In MB of 1024 × 1024 bytes, as the form's hint gives the limit (Django's filesizeformat).
  function megabytes(bytes) {
    var lang = document.documentElement.lang || undefined;
    return (bytes / 1048576).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function check(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!limit || !input.files) return true;
    var message = messageFor(input);
    var tooLarge = null;
    for (var i = 0; i < input.files.length; i++) {
      if (input.files[i].size > limit) tooLarge = input.files[i];
    }
    if (tooLarge) {
      var text = (input.getAttribute("data-too-large") || "")
        .replace("{name}", tooLarge.name)
        .replace("{size}", megabytes(tooLarge.size));
      message.textContent = text;
      message.hidden = false;
      input.setCustomValidity(text);
      input.setAttribute("aria-invalid", "true");
    } else {
      message.textContent = "";
      message.hidden = true;
      input.setCustomValidity("");
      if (!input.closest(".has-error")) input.removeAttribute("aria-invalid");
    }
    describedBy(input, message.id, Boolean(tooLarge));
    return !tooLarge;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.hasAttribute("data-max-bytes")) {
      check(input);
    }
  });

  document.addEventListener(
    "submit",
    function (event) {
      var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
      var first = null;
      for (var i = 0; i < inputs.length; i++) {
        if (!check(inputs[i]) && !first) first = inputs[i];
      }
      if (first) {
        event.preventDefault();
        first.focus();
      }
    },
    true
  );
})();
