// Progressive enhancement for /search/: apply a filter or sort as soon as it changes.
// Without this script the "Apply filters" and "Sort" buttons do the same.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  form.classList.add("search__form--auto");
  // On narrow screens fold the filters so the results are in view; one tap opens them.
  var filters = form.querySelector(".search__filters");
  if (filters && window.matchMedia("(max-width: 47.99rem)").matches) {
    filters.removeAttribute("open");
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target.name === "sort") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  // Leave empty fields out of the URL so shared links stay short and canonical.
  form.addEventListener("formdata", function (event) {
    var data = event.formData;
    ["q", "sort"].forEach(function (name) {
      if (data.get(name) === "") data.delete(name);
    });
  });
})();
