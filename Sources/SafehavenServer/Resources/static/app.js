// Safehaven's own small script. Every page works without it; with it, file forms list the chosen
// files with a way to remove each, upload them resumably (tus 1.0: a dropped connection carries on
// from the last byte the server stored instead of starting again), and show a progress bar.
(function () {
  "use strict";

  var CHUNK = 8 * 1024 * 1024;
  var MAX_FAILURES = 8;

  function base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  // One request; resolves with the finished XMLHttpRequest whatever its status, rejects only
  // when the connection failed.
  function request(method, url, headers, body, onSent) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (onSent) xhr.upload.addEventListener("progress", function (e) { onSent(e.loaded); });
      xhr.addEventListener("load", function () { resolve(xhr); });
      xhr.addEventListener("error", function () { reject(new Error("connection")); });
      xhr.send(body === undefined ? null : body);
    });
  }

  function refusal(xhr) {
    var message = "The upload was refused.";
    try { message = JSON.parse(xhr.responseText).error.message; } catch (ignored) { /* not JSON */ }
    var error = new Error(message);
    error.shown = true;
    return error;
  }

  function pause(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  // Uploads one file into the draft; `progress(bytes)` hears how much of it has gone.
  function uploadFile(file, draft, token, progress) {
    var tus = { "Tus-Resumable": "1.0.0", "X-CSRF-Token": token };
    var created = Object.assign({
      "Upload-Length": String(file.size),
      "Upload-Metadata": "draft " + base64(draft) + ",filename " + base64(file.name) + ",filetype " + base64(file.type || "application/octet-stream")
    }, tus);
    return request("POST", "/compose/uploads", created).then(function (xhr) {
      if (xhr.status !== 201) throw refusal(xhr);
      return send(xhr.getResponseHeader("Location"), 0, 0);
    });

    function send(location, offset, failures) {
      var end = Math.min(offset + CHUNK, file.size);
      var headers = Object.assign({ "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" }, tus);
      return request("PATCH", location, headers, file.slice(offset, end), function (sent) { progress(offset + sent); })
        .then(function (xhr) {
          if (xhr.status === 204) {
            var next = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
            progress(next);
            return next >= file.size ? null : send(location, next, 0);
          }
          if (xhr.status === 409 || xhr.status >= 500) return resume(location, failures);
          throw refusal(xhr);
        }, function () { return resume(location, failures); });
    }

    // Asks the server how much it has, then carries on from there.
    function resume(location, failures) {
      if (failures >= MAX_FAILURES) {
        var error = new Error("The connection kept failing, so the files were not sent. Check your connection and try again.");
        error.shown = true;
        throw error;
      }
      return pause(Math.min(30000, 1000 * Math.pow(2, failures))).then(function () {
        return request("HEAD", location, tus);
      }).then(function (xhr) {
        if (xhr.status !== 200) throw refusal(xhr);
        return send(location, parseInt(xhr.getResponseHeader("Upload-Offset"), 10), failures + 1);
      }, function () { return resume(location, failures + 1); });
    }
  }

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

  // The page's own error summary (as the server draws it), focused, with a link to the field.
  function showProblem(message, field) {
    var old = document.querySelector(".error-summary");
    if (old) old.parentNode.removeChild(old);
    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("aria-labelledby", "error-summary-title");
    var title = document.createElement("h2");
    title.className = "error-summary__title";
    title.id = "error-summary-title";
    title.textContent = "There is a problem";
    var list = document.createElement("ul");
    list.className = "error-summary__list";
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#" + (field && field.id ? field.id : "main");
    link.textContent = message;
    item.appendChild(link);
    list.appendChild(item);
    summary.appendChild(title);
    summary.appendChild(list);
    var column = document.querySelector("main .column") || document.querySelector("main");
    column.insertBefore(summary, column.firstChild);
    summary.focus();
  }

  function enhanceProgress(form) {
    var box = form.querySelector("[data-progress]");
    if (!box || typeof XMLHttpRequest === "undefined" || typeof FormData === "undefined") return;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var resumable = typeof Promise !== "undefined" && typeof TextEncoder !== "undefined" && typeof Blob !== "undefined" &&
      typeof Blob.prototype.slice === "function" && typeof Object.assign === "function";

    function show(percent) {
      bar.value = percent;
      text.textContent = percent + "%";
    }

    // The form itself: its text fields, and (without resumable uploads) its files.
    function submit(data, action, button, draft) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) show(Math.round((e.loaded / e.total) * 100));
      });
      xhr.addEventListener("load", function () {
        // Sent: the server redirected to the share. Refused: show the page it answered with.
        if (xhr.responseURL && xhr.responseURL.indexOf(form.action) !== 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // Refused: the files go back to being chosen again, so the draft holding them is let go.
        if (draft) request("DELETE", "/compose/drafts/" + encodeURIComponent(draft), { "X-CSRF-Token": data.get("csrf") }).catch(function () {});
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        var summary = document.querySelector(".error-summary");
        if (summary) summary.focus();
        init();
      });
      xhr.addEventListener("error", function () {
        box.hidden = true;
        if (button) button.disabled = false;
        text.textContent = "";
        window.alert("The connection was lost before the share was sent. Nothing was sent; try again.");
      });
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      box.hidden = false;
      var input = form.querySelector("input[type=file]");
      var files = input ? Array.prototype.slice.call(input.files) : [];
      if (!resumable || files.length === 0) {
        submit(new FormData(form), form.action, button);
        return;
      }
      var token = form.querySelector("input[name=csrf]").value;
      var total = files.reduce(function (sum, file) { return sum + file.size; }, 0) || 1;
      var done = 0;
      var draft = null;
      request("POST", "/compose/drafts", { "X-CSRF-Token": token }).then(function (xhr) {
        if (xhr.status !== 201) throw refusal(xhr);
        draft = JSON.parse(xhr.responseText).id;
        return files.reduce(function (previous, file) {
          return previous.then(function () {
            return uploadFile(file, draft, token, function (sent) {
              show(Math.min(99, Math.floor(((done + sent) / total) * 100)));
            }).then(function () { done += file.size; });
          });
        }, Promise.resolve());
      }).then(function () {
        var data = new FormData(form);
        data.delete(input.name);
        submit(data, form.action + "?draft=" + encodeURIComponent(draft), button, draft);
      }).catch(function (error) {
        if (draft) request("DELETE", "/compose/drafts/" + encodeURIComponent(draft), { "X-CSRF-Token": token }).catch(function () {});
        if (button) button.disabled = false;
        text.textContent = "";
        box.hidden = true;
        var message = error.shown ? error.message : "The connection was lost before the share was sent. Nothing was sent; try again.";
        showProblem(message, input);
      });
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
