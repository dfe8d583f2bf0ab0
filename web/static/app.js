// Horizon web pages: plots, live batch progress, live transcripts, the baselining clock, small form helpers.
(function () {
  "use strict";
  // Scripted pages fold the narrow header's links behind Menu (style.css); set before the first paint.
  document.documentElement.classList.add("js");

  // Every chart's options. Nothing here may reach another host: no "edit in Chart Studio", "send
  // to cloud" or plotly-logo links, and an empty server URL so no upload target exists.
  // The PNG download stays (it is drawn in the browser).
  var PLOT_CONFIG = {
    responsive: true,
    displaylogo: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    plotlyServerURL: "",
    linkText: "",
    modeBarButtonsToRemove: ["lasso2d", "select2d", "sendDataToCloud", "editInChartStudio"],
  };

  function renderPlots() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      fitNarrow(el, figure);
      Plotly.newPlot(el, figure.data, figure.layout, PLOT_CONFIG).then(function () {
        el.on("plotly_click", openAgentPage);
        el.setAttribute("data-rendered", "1");
      });
    });
    var png = document.getElementById("download-png");
    if (png) {
      png.hidden = false;
      png.addEventListener("click", function () {
        downloadPng(document.getElementById(png.getAttribute("data-plot")));
      });
    }
  }

  // On a phone the agents' names overlap into a smudge: they are hidden (hover and click still
  // name each point) and a long title is set smaller so it fits.
  function fitNarrow(el, figure) {
    if (el.clientWidth >= 600) return;
    figure.data.forEach(function (trace) {
      if (trace.name === "agent labels") trace.visible = false;
    });
    var title = figure.layout.title;
    if (title && title.font) title.font.size = 12;
  }

  // A trend point's customdata[6] is its agent page ("" for a published overlay's agents). Only
  // same-site paths are followed, and a pinned analysis (?analysis=) stays pinned.
  function openAgentPage(event) {
    var point = event.points && event.points[0];
    var link = point && point.customdata && point.customdata[6];
    if (typeof link !== "string" || link.indexOf("/agents/") !== 0) return;
    var pinned = new URLSearchParams(window.location.search).get("analysis");
    window.location.assign(link + (pinned ? "?analysis=" + encodeURIComponent(pinned) : ""));
  }

  // The figure as a PNG drawn here by plotly, with the title and caption the server put in
  // layout.meta (the page shows them as text beside the chart instead). Nothing is uploaded.
  function downloadPng(el) {
    if (!el || !el.data) return;
    var meta = el.layout.meta || {};
    var layout = Object.assign({}, el.layout, {
      title: { text: meta.title || "", x: 0.01, xanchor: "left", font: { size: 18 } },
      margin: { l: 80, r: 30, t: 60, b: 210 },
      annotations: (el.layout.annotations || []).concat([
        {
          text: meta.caption || "",
          xref: "paper",
          yref: "paper",
          x: 0,
          y: -0.3,
          xanchor: "left",
          yanchor: "top",
          showarrow: false,
          align: "left",
          font: { size: 11, color: "#495057" },
        },
      ]),
    });
    Plotly.downloadImage(
      { data: el.data, layout: layout, config: { plotlyServerURL: "" } },
      { format: "png", width: 1400, height: 760, scale: 1, filename: "horizon-trend" }
    );
  }

  // ---- batch progress: counts by status, the progress bar and run rows, without reloading
  function pollBatch() {
    var box = document.getElementById("batch-progress");
    if (!box) return;
    var url = box.getAttribute("data-url");
    var statuses = ["completed", "infra_error", "cancelled", "running"];

    function update(data) {
      box.querySelectorAll("[data-count]").forEach(function (el) {
        el.textContent = data.counts[el.getAttribute("data-count")] || 0;
      });
      var total = data.total || 0;
      box.querySelector("[data-total]").textContent = total;
      box.querySelector("[data-finished]").textContent = data.finished;
      var spend = box.querySelector("[data-spend]");
      if (spend && data.spend_text) spend.textContent = data.spend_text;
      var attempts = box.querySelector("[data-attempts]");
      if (attempts && data.spend) attempts.textContent = data.spend.attempts;
      statuses.forEach(function (s) {
        var bar = box.querySelector(".progress ." + s);
        if (bar) bar.style.width = total ? (100 * (data.counts[s] || 0)) / total + "%" : "0";
      });
      data.runs.forEach(function (run) {
        var row = document.querySelector('tr[data-run-id="' + run.id + '"]');
        if (!row) return;
        var status = row.querySelector("[data-field=status]");
        status.innerHTML = '<span class="badge ' + run.status + '">' + run.status + "</span>";
        row.querySelector("[data-field=score]").textContent =
          run.score === null ? "—" : Number(run.score).toPrecision(3);
        row.querySelector("[data-field=stop]").textContent = run.stop_reason || "—";
        row.querySelector("[data-field=attempt]").textContent = run.attempt;
      });
      var state = box.querySelector("[data-state]");
      state.textContent = data.done ? "done" : data.cancelled ? "cancelling" : "in progress";
      state.className = "badge " + (data.done ? "completed" : "running");
      box.setAttribute("data-done", data.done ? "1" : "0");
      return data.done;
    }

    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (data) {
          if (data && update(data)) return;
          setTimeout(tick, 1500);
        })
        .catch(function () {
          setTimeout(tick, 3000);
        });
    }
    if (box.getAttribute("data-done") !== "1") setTimeout(tick, 1000);
  }

  // ---- live transcript: a running attempt's new events are appended as they are stored. The
  // server renders each event (escaped, like the page); `offset` is the number of events shown.
  function pollTranscript() {
    var box = document.getElementById("transcript");
    if (!box || !box.getAttribute("data-live-url")) return;
    var url = box.getAttribute("data-live-url");
    var offset = Number(box.getAttribute("data-offset")) || 0;
    var total = document.querySelector("#transcript-summary [data-total]");

    function update(data) {
      data.events.forEach(function (html) {
        box.insertAdjacentHTML("beforeend", html);
      });
      offset += data.events.length;
      box.setAttribute("data-offset", offset);
      if (total) total.textContent = data.total;
      if (data.next_offset !== null) return true; // more stored already: fetch it at once
      if (data.live) return false;
      var state = document.getElementById("transcript-state");
      if (state) state.textContent = "The attempt has ended; reload the page for its totals.";
      var badge = document.getElementById("transcript-live");
      if (badge) {
        badge.textContent = "ended";
        badge.className = "badge completed";
      }
      return null;
    }

    function tick() {
      fetch(url + "&offset=" + offset, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (data) {
          var more = data ? update(data) : false;
          if (more !== null) setTimeout(tick, more ? 0 : 2000);
        })
        .catch(function () {
          setTimeout(tick, 4000);
        });
    }
    setTimeout(tick, 2000);
  }

  // ---- baselining clock: shows the server's active time, advancing while it runs
  function runTimer() {
    var el = document.getElementById("timer");
    if (!el) return;
    var base = parseFloat(el.getAttribute("data-active-seconds")) || 0;
    var running = el.getAttribute("data-running") === "1";
    var loaded = performance.now();
    function pad(n) {
      return (n < 10 ? "0" : "") + n;
    }
    function show() {
      var s = base + (running ? (performance.now() - loaded) / 1000 : 0);
      var total = Math.floor(s);
      el.textContent =
        Math.floor(total / 3600) + ":" + pad(Math.floor((total % 3600) / 60)) + ":" + pad(total % 60);
    }
    show();
    if (running) setInterval(show, 250);

    // Heartbeat: every minute while the page is visible, the server hears the page is alive;
    // without one for the idle time it counts the attempt as paused (and the page shows it).
    var heartbeatUrl = el.getAttribute("data-heartbeat-url");
    if (running && heartbeatUrl) {
      var beat = function () {
        if (document.visibilityState !== "visible") return;
        fetch(heartbeatUrl, {
          method: "POST",
          headers: { Accept: "application/json", "X-CSRF-Token": el.getAttribute("data-csrf") || "" },
          credentials: "same-origin",
        })
          .then(function (r) {
            return r.ok ? r.json() : null;
          })
          .then(function (data) {
            if (data && !data.running) window.location.reload();
          })
          .catch(function () {});
      };
      setInterval(beat, 60000);
      document.addEventListener("visibilitychange", beat);
    }

    var stateUrl = el.getAttribute("data-state-url");
    if (el.getAttribute("data-status") === "scoring" && stateUrl) {
      var poll = function () {
        fetch(stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) {
            return r.ok ? r.json() : null;
          })
          .then(function (data) {
            if (data && data.final) {
              window.location.reload();
            } else {
              setTimeout(poll, 1500);
            }
          })
          .catch(function () {
            setTimeout(poll, 3000);
          });
      };
      setTimeout(poll, 1000);
    }
  }

  // ---- task form: add another baseline row
  function baselineRows() {
    var button = document.getElementById("add-baseline");
    if (!button) return;
    button.addEventListener("click", function () {
      var rows = document.querySelectorAll(".baseline-row");
      var last = rows[rows.length - 1];
      var index = rows.length;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input, select").forEach(function (input) {
        input.name = input.name.replace(/baselines\.\d+\./, "baselines." + index + ".");
        input.id = input.id.replace(/baselines-\d+-/, "baselines-" + index + "-");
        if (input.tagName === "INPUT") input.value = "";
      });
      copy.querySelectorAll("label[for]").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/baselines-\d+-/, "baselines-" + index + "-");
      });
      copy.querySelectorAll(".field-error").forEach(function (e) {
        e.remove();
      });
      last.parentNode.insertBefore(copy, last.nextSibling);
    });
  }

  // ---- filter long checkbox lists (schedule page)
  function pickerFilters() {
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter"));
      input.addEventListener("input", function () {
        var q = input.value.toLowerCase();
        list.querySelectorAll("label").forEach(function (label) {
          label.style.display = label.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
        });
      });
    });
  }

  // ---- the schedule page's run count: agents x distinct tasks (by tag and picked) x repeats
  function runCount() {
    var form = document.getElementById("schedule-form");
    var out = document.getElementById("run-count");
    if (!form || !out) return;
    function update() {
      var agents = form.querySelectorAll("input[name=agents]:checked").length;
      var tasks = {};
      form.querySelectorAll("input[name=tags]:checked").forEach(function (box) {
        (box.getAttribute("data-tasks") || "").split(" ").forEach(function (id) { if (id) tasks[id] = true; });
      });
      form.querySelectorAll("input[name=tasks]:checked").forEach(function (box) { tasks[box.value] = true; });
      var n = Object.keys(tasks).length;
      var repeats = parseInt(form.querySelector("input[name=repeats]").value, 10) || 0;
      var runs = agents * n * repeats;
      out.hidden = false;
      out.textContent = runs === 1 ? "This batch queues 1 run." :
        "This batch queues " + runs.toLocaleString() + " runs (" + agents + " agent" + (agents === 1 ? "" : "s") +
        " \u00d7 " + n + " task" + (n === 1 ? "" : "s") + " \u00d7 " + repeats + " repeat" + (repeats === 1 ? "" : "s") + ").";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // ---- forms that ask first, and "back" links (the CSP allows no inline handlers)
  function confirmsAndBackLinks() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
  }

  // ---- the header's Menu button on narrow screens (style.css hides the links until it is open)
  function navToggle() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    navToggle();
    confirmsAndBackLinks();
    renderPlots();
    pollBatch();
    pollTranscript();
    runTimer();
    baselineRows();
    pickerFilters();
    runCount();
  });
})();
