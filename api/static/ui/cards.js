// On a narrow screen a table becomes a stack of cards: each cell carries its
// column's name (the stylesheet shows it above the value). Without this script
// the table scrolls sideways inside its frame instead.
(function () {
  "use strict";
  document.querySelectorAll("table.grid").forEach(function (table) {
    var heads = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("colspan")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
    table.classList.add("cards");
  });
}());
