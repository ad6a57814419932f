// Refreshes the opening-hours preview while staff type; without JavaScript the Preview button does the same.
(function () {
  "use strict";
  var box = document.getElementById("preview");
  if (!box || !window.fetch) { return; }
  var fields = ["opening_hours", "timezone", "holiday_calendar"];
  var timer = null;
  function refresh() {
    var query = new URLSearchParams();
    fields.forEach(function (name) { query.set(name, document.getElementById(name).value); });
    fetch(box.dataset.url + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () {});
  }
  fields.forEach(function (name) {
    document.getElementById(name).addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
  });
}());
