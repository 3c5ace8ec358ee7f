/* Posture Massage: small enhancements only. Every page works without this file. */
(function () {
  "use strict";

  // Messages get a close button when JavaScript can make it work.
  document.querySelectorAll(".alert[data-dismissible]").forEach(function (alert) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn-close";
    button.setAttribute("aria-label", "Dismiss this message");
    button.addEventListener("click", function () {
      alert.remove();
      var main = document.getElementById("main");
      if (main) main.focus();
    });
    alert.classList.add("has-close");
    alert.appendChild(button);
  });
})();
