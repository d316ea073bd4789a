// The rough-sleeping figures page.
//
// Charts: a bar chart beside each table. The tables hold the same numbers and are what
// screen readers use: each canvas is aria-hidden. The data comes from the
// <script type="application/json" id="figures-chart-data"> element that Django's
// json_script writes; hidden counts ("<5") arrive as null and get no bar.
//
// The form: only the chosen kind of period's fields are shown (without JavaScript they
// all are, and the server reads only the chosen kind's).
(function () {
  "use strict";

  function revealChosenKind() {
    const radios = document.querySelectorAll('.wm-figures-form input[name="kind"]');
    const groups = document.querySelectorAll(".wm-figures-form [data-figures-kind]");
    if (!radios.length) return;
    function update() {
      const chosen = document.querySelector('.wm-figures-form input[name="kind"]:checked');
      groups.forEach(function (group) {
        group.hidden = !chosen || group.dataset.figuresKind !== chosen.value;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  function draw() {
    const source = document.getElementById("figures-chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    let charts;
    try {
      charts = JSON.parse(source.textContent);
    } catch (error) {
      return; // the tables are still there
    }
    const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    document.querySelectorAll("[data-figures-chart]").forEach(function (holder) {
      const chart = charts[holder.dataset.figuresChart];
      const canvas = holder.querySelector("canvas");
      if (!chart || !canvas) return;
      holder.hidden = false;
      const labels = chart.labels.map(function (label, i) {
        return chart.values[i] === null ? label + " (" + chart.shown[i] + ")" : label;
      });
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            {
              label: "People",
              data: chart.values,
              backgroundColor: "#1d70b8", // GOV.UK blue: 5.2:1 against white
              borderColor: "#0b0c0c",
              borderWidth: 1,
            },
          ],
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          animation: reduceMotion ? false : { duration: 300 },
          plugins: {
            legend: { display: false },
            title: { display: true, text: chart.title, color: "#0b0c0c", font: { size: 16 } },
            tooltip: {
              callbacks: {
                label: function (context) {
                  return chart.shown[context.dataIndex] + " people";
                },
              },
            },
          },
          scales: {
            x: { beginAtZero: true, ticks: { precision: 0, color: "#0b0c0c" }, title: { display: true, text: "People" } },
            y: { ticks: { color: "#0b0c0c", autoSkip: false } },
          },
        },
      });
    });
  }

  function start() {
    revealChosenKind();
    draw();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
