// Safehaven's own small script. Every page works without it; with it, file forms list the chosen
// files with a way to remove each, and show a progress bar while they upload.
(function () {
  "use strict";

  function describeSize(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    if (bytes < 1024 * 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    return (bytes / 1024 / 1024 / 1024).toFixed(2) + " GB";
  }

  function enhanceFileList(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-selected-files]");
    if (!input || !list || typeof DataTransfer === "undefined") return;
    var chosen = [];

    function draw() {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      list.textContent = "";
      chosen.forEach(function (file, index) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = file.name + " (" + describeSize(file.size) + ")";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = "Remove";
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " " + file.name;
        remove.appendChild(hidden);
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          draw();
          input.focus();
        });
        item.appendChild(name);
        item.appendChild(remove);
        list.appendChild(item);
      });
    }

    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, function (file) {
        var already = chosen.some(function (c) { return c.name === file.name && c.size === file.size; });
        if (!already) chosen.push(file);
      });
      draw();
    });
  }

  function enhanceProgress(form) {
    var box = form.querySelector("[data-progress]");
    if (!box || typeof XMLHttpRequest === "undefined" || typeof FormData === "undefined") return;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      box.hidden = false;
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        text.textContent = percent + "%";
      });
      request.addEventListener("load", function () {
        // Sent: the server redirected to the share. Refused: show the page it answered with.
        if (request.responseURL && request.responseURL.indexOf(form.action) !== 0) {
          window.location.assign(request.responseURL);
          return;
        }
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        var summary = document.querySelector(".error-summary");
        if (summary) summary.focus();
        init();
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        if (button) button.disabled = false;
        text.textContent = "";
        window.alert("The connection was lost before the share was sent. Nothing was sent; try again.");
      });
      request.send(new FormData(form));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
      enhanceFileList(form);
      enhanceProgress(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
