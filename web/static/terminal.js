// Baselining in a live sandbox: the terminal (xterm.js over a WebSocket to a pty shell in the
// attempt's sandbox) and the work directory's file editor. The server decides what is allowed:
// a paused or ended attempt's terminal is closed with code 4409 and its file calls answer 409,
// and the page then shows them locked.
(function () {
  "use strict";

  var LOCKED = 4409;

  function startTerminal() {
    var el = document.getElementById("terminal");
    if (!el || typeof Terminal === "undefined") return;
    var status = document.getElementById("terminal-status");
    var term = new Terminal({
      cursorBlink: true,
      fontSize: 14,
      scrollback: 5000,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    });
    var fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();

    function say(text, state) {
      status.textContent = text;
      el.setAttribute("data-state", state);
    }

    var url =
      (window.location.protocol === "https:" ? "wss://" : "ws://") +
      window.location.host +
      el.getAttribute("data-ws-url") +
      "?rows=" + term.rows + "&cols=" + term.cols;
    var ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = function () {
      say("Connected: type into the terminal.", "open");
      term.focus();
    };
    ws.onmessage = function (event) {
      term.write(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
    };
    ws.onclose = function (event) {
      term.options.disableStdin = true;
      if (event.code === LOCKED) {
        el.classList.add("locked");
        say("Locked: " + (event.reason || "the attempt is paused") + ". Resume to continue.", "locked");
        // Paused elsewhere (another tab, or idle): show the paused page.
        setTimeout(function () {
          window.location.reload();
        }, 1500);
      } else {
        say("The terminal closed (" + (event.reason || "code " + event.code) + "). Reload the page to open a new one.", "closed");
      }
    };
    term.onData(function (data) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: "i", d: data }));
    });
    term.onResize(function (size) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: "r", rows: size.rows, cols: size.cols }));
    });
    window.addEventListener("resize", function () {
      fit.fit();
    });
  }

  function startEditor() {
    var box = document.getElementById("editor");
    if (!box) return;
    var list = document.getElementById("file-list");
    var pathInput = document.getElementById("file-path");
    var text = document.getElementById("file-text");
    var message = document.getElementById("editor-message");
    var csrf = box.getAttribute("data-csrf");
    var fileUrl = box.getAttribute("data-file-url");

    function answer(response) {
      return response.json().then(function (data) {
        if (response.status === 409) {
          message.textContent = "Locked: " + data.detail;
          setTimeout(function () {
            window.location.reload();
          }, 1500);
          throw new Error("locked");
        }
        if (!response.ok) {
          message.textContent = data.detail || "Error " + response.status;
          throw new Error(String(response.status));
        }
        return data;
      });
    }

    function refresh() {
      fetch(box.getAttribute("data-list-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(answer)
        .then(function (data) {
          list.textContent = "";
          data.entries.forEach(function (entry) {
            var li = document.createElement("li");
            if (entry.is_dir) {
              li.textContent = entry.path + "/";
            } else {
              var button = document.createElement("button");
              button.type = "button";
              button.textContent = entry.path;
              button.setAttribute("data-path", entry.path);
              button.addEventListener("click", function () {
                openFile(entry.path);
              });
              li.appendChild(button);
              var size = document.createElement("span");
              size.className = "muted";
              size.textContent = " " + entry.size + " B";
              li.appendChild(size);
            }
            list.appendChild(li);
          });
          if (data.cut) {
            var more = document.createElement("li");
            more.className = "muted";
            more.textContent = "(more files than shown: use the terminal)";
            list.appendChild(more);
          }
        })
        .catch(function () {});
    }

    function openFile(path) {
      fetch(fileUrl + "?path=" + encodeURIComponent(path), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(answer)
        .then(function (data) {
          pathInput.value = data.path;
          text.value = data.text;
          message.textContent = "Opened " + data.path + ".";
        })
        .catch(function () {});
    }

    function post(form, done) {
      fetch(fileUrl, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
      })
        .then(answer)
        .then(function (data) {
          message.textContent = done + " " + data.path + " (" + data.bytes + " bytes).";
          refresh();
        })
        .catch(function () {});
    }

    document.getElementById("file-save").addEventListener("click", function () {
      var form = new FormData();
      form.append("path", pathInput.value);
      form.append("text", text.value);
      post(form, "Saved");
    });
    document.getElementById("upload-file").addEventListener("change", function (event) {
      var file = event.target.files[0];
      if (!file) return;
      var folder = pathInput.value.indexOf("/") >= 0 ? pathInput.value.replace(/\/[^/]*$/, "") : "";
      var form = new FormData();
      form.append("path", folder);
      form.append("upload", file, file.name);
      post(form, "Uploaded");
      event.target.value = "";
    });
    document.getElementById("files-refresh").addEventListener("click", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    startTerminal();
    startEditor();
  });
})();
