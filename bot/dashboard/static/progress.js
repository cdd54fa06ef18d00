// Live progress of a broadcast: poll its status and reload once it is finished for the report.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.dataset.finished === "yes") { return; }
  var line = document.getElementById("progress-line");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        line.textContent = status.progress;
        if (status.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
