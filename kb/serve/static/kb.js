/* kb: fold Datasette's long list of column descriptions into a <details> and show each
   description as its column heading's tooltip. Without script the list stays as it is. */
document.addEventListener("DOMContentLoaded", function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (dl && !dl.closest("details")) {
    var details = document.createElement("details");
    details.className = "kb-column-descriptions";
    var summary = document.createElement("summary");
    summary.textContent = "Column descriptions (" + dl.querySelectorAll("dt").length + ")";
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  }
  document.querySelectorAll("th[data-column-description]").forEach(function (th) {
    th.title = th.getAttribute("data-column-description");
  });
});
