/* ehelsekg view: draws one screen of the view data at a time with vis-network. Every text from
   the data is put on the page as a DOM text node (textContent), never as HTML, so a label
   holding markup is shown as text and runs nothing. Links are only http(s) or relative paths.
   A screen is drawn at a scale of at least MIN_SCALE, never shrunk to fit: a view too large for
   that comes as an overview of groups, and a click on a group opens its own screen. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var INSIDE = { box: true, ellipse: true, database: true, text: true, circle: true };
  var MIN_SCALE = 0.86, MAX_SCALE = 1.5;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function safeHref(href) {
    return typeof href === "string" &&
      /^(https?:\/\/[^\s]+|\/(?!\/)[^\s]*|\.{0,2}\/?[\w.-][^\s:]*)$/.test(href) ? href : null;
  }
  function textColour(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) { return "#1c1c1c"; }
    var rgb = [m[1], m[2], m[3]].map(function (h) {
      var c = parseInt(h, 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    // White text needs lum < 0.18 for 4.5:1; dark text needs lum > 0.18.
    return lum > 0.18 ? "#1c1c1c" : "#ffffff";
  }
  function byNumber(a, b) { return String(a).localeCompare(String(b), "nb", { numeric: true }); }
  function facts(list) {
    var dl = el("dl", null, "facts");
    (list || []).forEach(function (pair) {
      dl.appendChild(el("dt", pair[0]));
      dl.appendChild(el("dd", pair[1]));
    });
    return dl;
  }
  function describe(item, isNode, withLink) {
    var box = el("div", null, "tip");
    box.appendChild(el("strong", isNode ? item.name : (item.label || "Kobling")));
    if (isNode) { box.appendChild(el("div", item.kindName, "kind")); }
    box.appendChild(facts(item.facts));
    if (item.sources && item.sources.length) {
      box.appendChild(el("div", "Kilde: " + item.sources.join("; "), "sources"));
    }
    var href = withLink ? safeHref(item.href) : null;
    if (href) {
      var a = el("a", "Åpne siden om " + item.name);
      a.setAttribute("href", href);
      a.setAttribute("rel", "noopener noreferrer");
      box.appendChild(a);
    }
    return box;
  }

  function drawLegend(entries) {
    var legend = document.getElementById("view-legend");
    while (legend.firstChild) { legend.removeChild(legend.firstChild); }
    entries.forEach(function (entry) {
      var li = el("li");
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("width", "34"); svg.setAttribute("height", "18");
      svg.setAttribute("aria-hidden", "true");
      var shape;
      if (entry.edge) {
        shape = document.createElementNS(SVG, "line");
        shape.setAttribute("x1", "2"); shape.setAttribute("y1", "9");
        shape.setAttribute("x2", "32"); shape.setAttribute("y2", "9");
        shape.setAttribute("stroke", entry.colour);
        shape.setAttribute("stroke-width", String(Math.max(2, Math.min(entry.width, 6))));
      } else if (entry.shape === "ellipse" || entry.shape === "dot" || entry.shape === "circle") {
        shape = document.createElementNS(SVG, "ellipse");
        shape.setAttribute("cx", "17"); shape.setAttribute("cy", "9");
        shape.setAttribute("rx", entry.shape === "ellipse" ? "14" : "8");
        shape.setAttribute("ry", entry.shape === "ellipse" ? "7" : "8");
      } else if (entry.shape === "triangle" || entry.shape === "diamond" || entry.shape === "star" ||
                 entry.shape === "hexagon" || entry.shape === "triangleDown") {
        shape = document.createElementNS(SVG, "polygon");
        var points = {
          triangle: "17,1 27,17 7,17", triangleDown: "7,1 27,1 17,17", diamond: "17,1 26,9 17,17 8,9",
          star: "17,1 19,7 25,7 20,11 22,17 17,13 12,17 14,11 9,7 15,7",
          hexagon: "11,2 23,2 29,9 23,16 11,16 5,9"
        };
        shape.setAttribute("points", points[entry.shape]);
      } else {
        shape = document.createElementNS(SVG, "rect");
        var square = entry.shape === "square";
        shape.setAttribute("x", square ? "9" : "3"); shape.setAttribute("y", "2");
        shape.setAttribute("width", square ? "14" : "28"); shape.setAttribute("height", "14");
        shape.setAttribute("rx", entry.shape === "pill" ? "7" : entry.shape === "database" ? "4" : "0");
      }
      if (entry.dashes) { shape.setAttribute("stroke-dasharray", entry.dashes); }
      if (!entry.edge) {
        shape.setAttribute("fill", entry.colour);
        shape.setAttribute("stroke", entry.border);
        shape.setAttribute("stroke-width", entry.border === "#37474f" ? "1.5" : "3");
      }
      svg.appendChild(shape);
      li.appendChild(svg);
      li.appendChild(el("span", entry.label));
      legend.appendChild(li);
    });
  }

  var container = document.getElementById("view-network");
  container.setAttribute("tabindex", "0");
  var network = null, current = null, nodes = null, edges = null, byId = {};
  var details = document.getElementById("view-details");
  var pageSelect = document.getElementById("view-page");
  var statusFilter = document.getElementById("filter-status");
  var ownerFilter = document.getElementById("filter-owner");
  var counts = document.getElementById("view-counts");

  function show(box) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.appendChild(box);
  }
  function readable() {
    // Fit the screen, but never below MIN_SCALE (labels stay >= 12 px) nor above MAX_SCALE.
    network.fit({ animation: false, maxZoomLevel: MAX_SCALE });
    var scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, network.getScale()));
    network.moveTo({ scale: scale, animation: false });
  }
  function options(select, values) {
    while (select.options.length > 1) { select.remove(1); }
    values.sort(byNumber).forEach(function (value) {
      var option = el("option", value);
      option.value = value;
      select.appendChild(option);
    });
  }
  function applyFilters() {
    var status = statusFilter.value, owner = ownerFilter.value, shown = 0;
    var updates = current.nodes.map(function (n) {
      // Entities without a status or owner (goals, actors, groups) stay as context.
      var hidden = Boolean((status && n.status && n.status !== status) ||
                           (owner && n.owner && n.owner.split(", ").indexOf(owner) < 0));
      if (!hidden) { shown += 1; }
      return { id: n.id, hidden: hidden };
    });
    nodes.update(updates);
    counts.textContent = shown + " av " + current.nodes.length + " noder, " +
      current.edges.length + " piler på denne skjermen";
  }
  function open(key) {
    var page = data.pages.filter(function (p) { return p.key === key; })[0] || data.pages[0];
    current = page;
    byId = {};
    page.nodes.forEach(function (n) { byId[n.id] = n; });
    nodes = new vis.DataSet(page.nodes.map(function (n) {
      var bg = n.color.background;
      var item = {
        id: n.id, label: n.label, shape: n.shape, x: n.x, y: n.y, physics: false,
        color: { background: bg, border: n.color.border,
                 highlight: { background: bg, border: "#000000" },
                 hover: { background: bg, border: "#000000" } },
        borderWidth: n.borderWidth,
        font: { color: INSIDE[n.shape] ? textColour(bg) : "#1c1c1c", size: n.emphasis ? 16 : 15 },
        title: describe(n, true, false)
      };
      // vis-network reads shapeProperties field by field: give it only when set.
      if (n.shapeProperties) { item.shapeProperties = n.shapeProperties; }
      return item;
    }));
    edges = new vis.DataSet(page.edges.map(function (e, i) {
      return {
        id: "e" + i, from: e.from, to: e.to, label: e.label || undefined, width: e.width,
        dashes: e.dashes, color: { color: e.color, highlight: e.color, hover: e.color },
        title: e.facts && e.facts.length ? describe(e, false, false) : undefined
      };
    }));
    if (network === null) {
      network = new vis.Network(container, { nodes: nodes, edges: edges }, page.options);
      network.on("click", onClick);
      window.ehelsekgNetwork = network;
    } else {
      network.setData({ nodes: nodes, edges: edges });
    }
    drawLegend(page.legend);
    document.getElementById("view-page-title").textContent = page.title;
    if (pageSelect) { pageSelect.value = page.key; }
    var statuses = {}, owners = {};
    page.nodes.forEach(function (n) {
      if (n.status) { statuses[n.status] = true; }
      if (n.owner) { n.owner.split(", ").forEach(function (o) { owners[o] = true; }); }
    });
    options(statusFilter, Object.keys(statuses));
    options(ownerFilter, Object.keys(owners));
    applyFilters();
    readable();
    window.ehelsekgView = { ready: false, page: page.key, pages: data.pages.length };
    network.once("afterDrawing", function () {
      window.ehelsekgView.ready = true;
      document.body.setAttribute("data-page", page.key);
    });
    network.redraw();
  }
  function onClick(params) {
    if (params.nodes.length) {
      var node = byId[params.nodes[0]];
      if (node.opens) { open(node.opens); return; }
      show(describe(node, true, true));
      return;
    }
    if (params.edges.length) {
      var index = parseInt(String(params.edges[0]).slice(1), 10);
      var edge = current.edges[index];
      var box = describe(edge, false, false);
      box.insertBefore(el("div", (byId[edge.from] || {}).name + " → " + (byId[edge.to] || {}).name,
                          "kind"), box.childNodes[1]);
      show(box);
    }
  }

  statusFilter.addEventListener("change", applyFilters);
  ownerFilter.addEventListener("change", applyFilters);
  document.getElementById("view-fit").addEventListener("click", readable);
  if (pageSelect) {
    pageSelect.addEventListener("change", function () { open(pageSelect.value); });
    document.getElementById("view-back").addEventListener("click", function () {
      open(data.pages[0].key);
    });
  }
  window.ehelsekgOpen = open;
  open(data.pages[0].key);
})();
