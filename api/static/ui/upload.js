// Upload progress: a form marked data-progress sends its file with XMLHttpRequest
// and shows how much has gone; the answer then replaces the page as a plain
// submission would. Without script the form posts as it is.
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest) { return; }
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = document.createElement("progress");
      bar.setAttribute("aria-label", "Upload progress");
      bar.max = 1;
      bar.value = 0;
      form.querySelector("button[type=submit]").after(bar);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (sent) {
        if (sent.lengthComputable) { bar.max = sent.total; bar.value = sent.loaded; }
      });
      request.addEventListener("load", function () {
        var shown = request.responseURL;
        document.open();
        document.write(request.responseText);
        document.close();
        if (shown && shown !== form.action) { history.replaceState(null, "", shown); }
      });
      // The form carries its key: sent again, it is recorded at most once.
      request.addEventListener("error", function () { form.submit(); });
      request.send(new FormData(form));
    });
  });
}());
