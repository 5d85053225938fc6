/* The dashboard's charts and map (Apache ECharts, served from this site: no internet).
 *
 * The page is complete without this file: every figure is in its cards and tables, each a
 * link to the ledger. Here the page's data-* attributes name the JSON endpoints (which apply
 * the same scope as the page) and the charts are drawn from them. Clicking an area of the map
 * opens that area's dashboard; clicking a site's dot, the site. No inline script (CSP). */
(function () {
  "use strict";

  var PALETTE = ["#8f1d21", "#2c7bb6", "#6c757d"];
  var CHOROPLETH = ["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"];
  var GOOD = ["#f7fcf5", "#c7e9c0", "#74c476", "#238b45", "#00441b"];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      }
    );
  }

  function chartIn(element) {
    var chart = window.echarts.init(element);
    window.addEventListener("resize", function () {
      chart.resize();
    });
    return chart;
  }

  function failed(element) {
    element.classList.add("hl-chart-failed");
    element.textContent = element.dataset.failed || "—";
  }

  // The period form: the dates matter only for "from … to …".
  function periodForm() {
    var form = document.querySelector("[data-period-form]");
    if (!form) {
      return;
    }
    var kind = form.querySelector("select[name=period]");
    function toggle() {
      var custom = kind.value === "custom";
      form.querySelectorAll("[data-period-start], [data-period-end]").forEach(function (box) {
        box.classList.toggle("d-none", !custom);
      });
    }
    kind.addEventListener("change", toggle);
    toggle();
  }

  function trendChart(element, trend) {
    var chart = chartIn(element);
    chart.setOption({
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 12, top: 32, bottom: 28 },
      xAxis: { type: "category", data: trend.months },
      yAxis: { type: "value", minInterval: 1 },
      series: trend.series.map(function (serie) {
        return {
          name: serie.name,
          type: serie.key === "closed" ? "line" : "bar",
          data: serie.data,
          symbolSize: 5,
        };
      }),
    });
    element.hlChart = chart;
  }

  function sourcesChart(element, sources) {
    var chart = chartIn(element);
    chart.setOption({
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: sources.names, inverse: true },
      series: sources.series.map(function (serie) {
        return { name: serie.name, type: "bar", data: serie.data };
      }),
    });
  }

  function riskChart(element, risk) {
    var chart = chartIn(element);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [
        {
          type: "pie",
          radius: ["45%", "75%"],
          label: { show: false },
          data: risk.data.map(function (item) {
            return { name: item.name, value: item.value, url: item.url, itemStyle: { color: item.colour } };
          }),
        },
      ],
    });
    chart.on("click", function (params) {
      if (params.data && params.data.url) {
        window.location.href = params.data.url;
      }
    });
  }

  function charts() {
    var trend = document.getElementById("chart-trend");
    if (!trend) {
      return;
    }
    getJSON(trend.dataset.chartsUrl)
      .then(function (data) {
        trendChart(trend, data.trend);
        var sources = document.getElementById("chart-sources");
        if (sources) {
          sourcesChart(sources, data.sources);
        }
        var risk = document.getElementById("chart-risk");
        if (risk) {
          riskChart(risk, data.risk);
        }
      })
      .catch(function () {
        failed(trend);
      });
  }

  var geoLoaded = {};

  function loadGeo(data) {
    if (geoLoaded[data.geo_name]) {
      return Promise.resolve();
    }
    return getJSON(data.geo).then(function (geojson) {
      window.echarts.registerMap(data.geo_name, geojson);
      geoLoaded[data.geo_name] = geojson;
    });
  }

  function labelPoints(data) {
    var names = {};
    data.areas.forEach(function (area) {
      names[area.name] = area.label;
    });
    var geojson = geoLoaded[data.geo_name];
    return (geojson ? geojson.features : [])
      .filter(function (feature) {
        return names[feature.properties.code] && feature.properties.cp;
      })
      .map(function (feature) {
        return { name: names[feature.properties.code], value: feature.properties.cp };
      });
  }

  function drawMap(element, chart, data) {
    var areas = {};
    data.areas.forEach(function (area) {
      areas[area.name] = area;
    });
    var values = data.areas
      .map(function (area) {
        return area.value;
      })
      .filter(function (value) {
        return value !== null;
      });
    var max = data.rate ? 1 : Math.max.apply(null, [1].concat(values));
    var good = data.indicator === "closure_rate";
    chart.setOption(
      {
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            if (params.seriesType === "scatter") {
              return params.data.name + "<br>" + params.data.level_label;
            }
            var area = areas[params.name];
            return area ? area.label + "<br>" + data.indicator_label + ": " + area.display : "";
          },
        },
        visualMap: {
          type: "continuous",
          min: 0,
          max: max,
          seriesIndex: 0,
          left: 8,
          bottom: 8,
          itemHeight: 90,
          text: [data.rate ? "100%" : String(max), "0"],
          inRange: { color: good ? GOOD : CHOROPLETH },
          calculable: false,
        },
        geo: {
          map: data.geo_name,
          nameProperty: "code",
          roam: true,
          layoutCenter: ["50%", "50%"],
          layoutSize: "95%",
          itemStyle: { areaColor: "#e9ecef", borderColor: "#6c757d", borderWidth: 0.8 },
          emphasis: { itemStyle: { areaColor: "#ffe08a" }, label: { show: true } },
          label: { show: false },
          select: { disabled: true },
        },
        series: [
          {
            type: "map",
            geoIndex: 0,
            data: data.areas.map(function (area) {
              return { name: area.name, value: area.value };
            }),
          },
          {
            type: "scatter",
            coordinateSystem: "geo",
            symbolSize: 6,
            z: 5,
            data: data.points.map(function (point) {
              return {
                name: point.name,
                value: point.value,
                level_label: point.level_label,
                url: point.url,
                itemStyle: { color: point.colour, borderColor: "#fff", borderWidth: 0.5 },
              };
            }),
          },
          {
            // The areas' names, above the sites' dots, at each area's label point.
            type: "scatter",
            coordinateSystem: "geo",
            symbolSize: 0,
            silent: true,
            z: 10,
            label: {
              show: true,
              formatter: "{b}",
              fontSize: 11,
              color: "#212529",
              textBorderColor: "#fff",
              textBorderWidth: 2,
            },
            data: labelPoints(data),
          },
        ],
      },
      true
    );
    element.hlAreas = areas;
    element.dataset.indicator = data.indicator;
    // Ready once drawn (the "finished" event: rendering and animation done), so that what
    // reads the map, or clicks it, finds its areas where they will stay.
    chart.off("finished");
    chart.on("finished", function () {
      chart.off("finished");
      element.dataset.ready = "1";
    });
  }

  function map() {
    var element = document.getElementById("dashboard-map");
    if (!element) {
      return;
    }
    var chart = chartIn(element);
    var select = document.querySelector("[data-map-indicator]");
    // Where an area's label point is on the screen (the browser test clicks there).
    element.hlPixelOf = function (code) {
      var geojson = geoLoaded[element.dataset.geoName];
      var feature = (geojson ? geojson.features : []).find(function (f) {
        return f.properties.code === code;
      });
      return feature ? chart.convertToPixel({ geoIndex: 0 }, feature.properties.cp) : null;
    };
    chart.on("click", function (params) {
      if (params.seriesType === "scatter") {
        if (params.data && params.data.url) {
          window.location.href = params.data.url;
        }
        return;
      }
      var area = (element.hlAreas || {})[params.name];
      if (area && area.url) {
        window.location.href = area.url;
      }
    });
    function load() {
      element.dataset.ready = "";
      var url = element.dataset.mapUrl + "&indicator=" + encodeURIComponent(select ? select.value : "");
      getJSON(url)
        .then(function (data) {
          element.dataset.geoName = data.geo_name;
          return loadGeo(data).then(function () {
            drawMap(element, chart, data);
          });
        })
        .catch(function () {
          failed(element);
        });
    }
    if (select) {
      select.addEventListener("change", load);
    }
    load();
  }

  function start() {
    periodForm();
    if (!window.echarts) {
      return;
    }
    charts();
    map();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
