// Progressive enhancement for forms; every form works without this file.
(function () {
  "use strict";

  // One submit per form: a double tap must not send the booking twice.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // A disabled button is not sent: keep which one was pressed ("Check dates" is not "Confirm").
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pressed.name;
        input.value = pressed.value;
        form.appendChild(input);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    });
  });

  // After a failed submit, move focus to the error summary so it is read out.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();

// Coming back with the Back button shows the cached page: let its buttons work again.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) {
    document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  }
});
