// Every UTC timestamp on a page also says the reader's local time, where it differs.
(function () {
  "use strict";
  var pad = function (n) { return String(n).padStart(2, "0"); };
  document.querySelectorAll("time[datetime]").forEach(function (node) {
    var at = new Date(node.getAttribute("datetime"));
    if (isNaN(at.getTime()) || at.getTimezoneOffset() === 0) { return; }
    var local = at.getFullYear() + "-" + pad(at.getMonth() + 1) + "-" + pad(at.getDate()) +
      " " + pad(at.getHours()) + ":" + pad(at.getMinutes()) + ":" + pad(at.getSeconds());
    var note = document.createElement("small");
    note.className = "local-time";
    note.textContent = " (" + local + " your time)";
    node.after(note);
  });
}());
