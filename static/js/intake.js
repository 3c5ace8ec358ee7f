// Saves the intake as the client goes: each changed answer is posted with the "save"
// action, as the "Save and finish later" button would. Without this script the button
// does the same; nothing here is needed for the form to work.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector("[data-saved-status]");
  var pending = null;

  function save() {
    var data = new FormData(form);
    data.set("action", "save");
    // Not form.action: the buttons named "action" shadow that property.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function () {
        if (status) status.textContent = "Your answers are saved.";
      })
      .catch(function () {
        if (status) status.textContent = "Not saved just now: use “Save and finish later” before you leave.";
      });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(save, 400);
  });
})();
