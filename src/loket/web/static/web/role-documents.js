// Shows only the documents of the role chosen on a request form. Each document asked of some
// roles only sits in an element carrying data-peran (the roles, separated by "|") and, when it is
// required, data-wajib. Once a role (the radio inputs named "role") is chosen, the documents of
// other roles are hidden and their inputs disabled (not sent), and the chosen role's required
// ones become required for the browser. Before a role is chosen, and without this script, every
// document shows with its role in its label; the server asks only for the chosen role's.
(function () {
  "use strict";

  function update(form) {
    var chosen = form.querySelector('input[name="role"]:checked');
    var role = chosen ? chosen.value : "";
    var fields = form.querySelectorAll("[data-peran]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var fits = !role || field.getAttribute("data-peran").split("|").indexOf(role) !== -1;
      field.hidden = !fits;
      field.style.display = fits ? "" : "none";
      var inputs = field.querySelectorAll("input");
      for (var j = 0; j < inputs.length; j++) {
        inputs[j].disabled = !fits;
        inputs[j].required = Boolean(role && fits && field.hasAttribute("data-wajib"));
      }
    }
  }

  function start() {
    var radios = document.querySelectorAll('input[name="role"]');
    var forms = [];
    for (var i = 0; i < radios.length; i++) {
      var form = radios[i].form;
      if (form && forms.indexOf(form) === -1) forms.push(form);
      radios[i].addEventListener("change", function (event) {
        update(event.target.form);
      });
    }
    for (var k = 0; k < forms.length; k++) update(forms[k]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
