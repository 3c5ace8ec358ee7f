// "Copy link" buttons: shown only where this runs; without it the link is selected and copied by hand.
(function () {
  "use strict";

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[role=status]");
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var copied = navigator.clipboard
        ? navigator.clipboard.writeText(input.value)
        : Promise.reject(new Error("no clipboard"));
      copied
        .catch(function () {
          // Older browsers, or no clipboard permission: the selection is copied the old way.
          if (!document.execCommand("copy")) {
            throw new Error("not copied");
          }
        })
        .then(
          function () {
            status.textContent = button.getAttribute("data-copied") || "Copied.";
          },
          function () {
            status.textContent = "Could not copy: the link is selected, copy it by hand.";
          }
        );
    });
  });
})();
