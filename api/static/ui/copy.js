// A "Copy" button beside each value marked data-copy (a hash a person checks elsewhere).
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("[data-copy]").forEach(function (node) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + (node.getAttribute("title") || "the value"));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(node.getAttribute("data-copy")).then(function () {
        button.textContent = "Copied";
      });
    });
    node.after(button);
  });
}());
