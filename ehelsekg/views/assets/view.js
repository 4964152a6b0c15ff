/* ehelsekg view: draws the view data with vis-network. Every text from the data is put on the
   page as a DOM text node (textContent), never as HTML, so a label holding markup is shown as
   text and runs nothing. Links are only http(s) or same-site paths. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var INSIDE = { box: true, ellipse: true, database: true, text: true, circle: true };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function safeHref(href) {
    return typeof href === "string" && /^(https?:\/\/[^\s]+|\/(?!\/)[^\s]*)$/.test(href) ? href : null;
  }
  function textColour(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) { return "#1c1c1c"; }
    var rgb = [m[1], m[2], m[3]].map(function (h) {
      var c = parseInt(h, 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return lum > 0.28 ? "#1c1c1c" : "#ffffff";
  }
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
    box.appendChild(el("strong", isNode ? item.label : (item.label || item.relation)));
    if (isNode) { box.appendChild(el("div", item.kindName, "kind")); }
    box.appendChild(facts(item.facts));
    if (item.sources && item.sources.length) {
      box.appendChild(el("div", "Kilde: " + item.sources.join("; "), "sources"));
    }
    var href = withLink ? safeHref(item.href) : null;
    if (href) {
      var a = el("a", "Åpne siden om " + item.label);
      a.setAttribute("href", href);
      a.setAttribute("rel", "noopener noreferrer");
      box.appendChild(a);
    }
    return box;
  }

  document.getElementById("view-description").textContent = data.description;
  document.getElementById("view-reports").textContent =
    (data.reports.length ? "Viser: " + data.reports.join(" · ") : "Ingen rapport");
  var banner = document.getElementById("view-banner");
  data.banner.forEach(function (line) {
    var li = el("li", line);
    if (/^Rød/.test(line)) { li.style.color = "#b71c1c"; }
    banner.appendChild(li);
  });
  document.getElementById("view-footer").textContent =
    "ehelsekg · visning «" + data.name + "» · laget " + data.generated;

  var legend = document.getElementById("view-legend");
  data.legend.forEach(function (entry) {
    var li = el("li");
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "34"); svg.setAttribute("height", "18");
    var shape;
    if (entry.edge) {
      shape = document.createElementNS(SVG, "line");
      shape.setAttribute("x1", "2"); shape.setAttribute("y1", "9");
      shape.setAttribute("x2", "32"); shape.setAttribute("y2", "9");
      shape.setAttribute("stroke", entry.colour);
      shape.setAttribute("stroke-width", String(Math.min(entry.width, 6)));
      if (entry.dashes) { shape.setAttribute("stroke-dasharray", "4 3"); }
    } else if (entry.shape === "ellipse" || entry.shape === "dot") {
      shape = document.createElementNS(SVG, "ellipse");
      shape.setAttribute("cx", "17"); shape.setAttribute("cy", "9");
      shape.setAttribute("rx", "14"); shape.setAttribute("ry", "7");
    } else if (entry.shape === "triangle" || entry.shape === "diamond" ||
               entry.shape === "star" || entry.shape === "hexagon") {
      shape = document.createElementNS(SVG, "polygon");
      var points = {
        triangle: "17,1 27,17 7,17", diamond: "17,1 26,9 17,17 8,9",
        star: "17,1 19,7 25,7 20,11 22,17 17,13 12,17 14,11 9,7 15,7",
        hexagon: "11,2 23,2 29,9 23,16 11,16 5,9"
      };
      shape.setAttribute("points", points[entry.shape]);
    } else {
      shape = document.createElementNS(SVG, "rect");
      shape.setAttribute("x", "3"); shape.setAttribute("y", "2");
      shape.setAttribute("width", "28"); shape.setAttribute("height", "14");
      shape.setAttribute("rx", entry.shape === "database" ? "6" : "2");
    }
    if (!entry.edge) {
      shape.setAttribute("fill", entry.colour);
      shape.setAttribute("stroke", entry.border);
      shape.setAttribute("stroke-width", entry.border === "#37474f" ? "1" : "3");
    }
    svg.appendChild(shape);
    li.appendChild(svg);
    li.appendChild(el("span", entry.label));
    legend.appendChild(li);
  });

  var nodeItems = data.nodes.map(function (n) {
    var bg = n.color.background;
    return {
      id: n.id, label: n.label, shape: n.shape, x: n.x, y: n.y, physics: false,
      color: { background: bg, border: n.color.border,
               highlight: { background: bg, border: "#000000" },
               hover: { background: bg, border: "#000000" } },
      borderWidth: n.borderWidth,
      font: { color: INSIDE[n.shape] ? textColour(bg) : "#1c1c1c", size: n.emphasis ? 16 : 14 },
      widthConstraint: n.widthConstraint,
      title: describe(n, true, false)
    };
  });
  var edgeItems = data.edges.map(function (e, i) {
    return {
      id: "e" + i, from: e.from, to: e.to, label: e.label || undefined, width: e.width,
      dashes: e.dashes, color: { color: e.color, highlight: e.color, hover: e.color },
      title: e.facts && e.facts.length ? describe(e, false, false) : undefined
    };
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("view-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  if (data.axis.length) {
    network.on("beforeDrawing", function (ctx) {
      var ys = data.nodes.map(function (n) { return n.y; });
      var top = Math.min.apply(null, ys) - 90, bottom = Math.max.apply(null, ys) + 60;
      ctx.save();
      ctx.font = "bold 18px DejaVu Sans, Arial, sans-serif";
      ctx.fillStyle = "#455a64";
      data.axis.forEach(function (tick) {
        ctx.strokeStyle = "#cfd8dc"; ctx.lineWidth = 1;
        ctx.beginPath(); ctx.moveTo(tick.x, top); ctx.lineTo(tick.x, bottom); ctx.stroke();
        ctx.fillText(tick.label, tick.x + 8, top + 20);
      });
      ctx.restore();
    });
  }

  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var details = document.getElementById("view-details");
  function show(box) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.appendChild(box);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { show(describe(byId[params.nodes[0]], true, true)); return; }
    if (params.edges.length) {
      var index = parseInt(String(params.edges[0]).slice(1), 10);
      var edge = data.edges[index];
      var box = describe(edge, false, false);
      box.insertBefore(el("div", (byId[edge.from] || {}).label + " → " + (byId[edge.to] || {}).label, "kind"),
                       box.childNodes[1]);
      show(box);
    }
  });

  var statusFilter = document.getElementById("filter-status");
  var ownerFilter = document.getElementById("filter-owner");
  function options(select, values) {
    values.sort().forEach(function (value) {
      var option = el("option", value);
      option.value = value;
      select.appendChild(option);
    });
  }
  var statuses = {}, owners = {};
  data.nodes.forEach(function (n) {
    if (n.status) { statuses[n.status] = true; }
    if (n.owner) { n.owner.split(", ").forEach(function (o) { owners[o] = true; }); }
  });
  options(statusFilter, Object.keys(statuses));
  options(ownerFilter, Object.keys(owners));
  var counts = document.getElementById("view-counts");
  var tbody = document.querySelector("#view-table tbody");
  function applyFilters() {
    var status = statusFilter.value, owner = ownerFilter.value, shown = 0;
    var updates = data.nodes.map(function (n) {
      // Entities without a status or owner (goals, actors, prerequisites) stay as context.
      var hidden = Boolean((status && n.status && n.status !== status) ||
                           (owner && n.owner && n.owner.split(", ").indexOf(owner) < 0));
      if (!hidden) { shown += 1; }
      return { id: n.id, hidden: hidden };
    });
    nodes.update(updates);
    counts.textContent = shown + " av " + data.nodes.length + " noder, " + data.edges.length + " piler";
  }
  statusFilter.addEventListener("change", applyFilters);
  ownerFilter.addEventListener("change", applyFilters);
  document.getElementById("view-fit").addEventListener("click", function () { network.fit(); });
  data.nodes.slice().sort(function (a, b) {
    return a.kindName.localeCompare(b.kindName) || a.label.localeCompare(b.label);
  }).forEach(function (n) {
    var row = el("tr");
    [n.kindName, n.label, n.status || "", n.owner || ""].forEach(function (cell) {
      row.appendChild(el("td", cell));
    });
    tbody.appendChild(row);
  });
  applyFilters();

  window.ehelsekgNetwork = network;
  network.once("afterDrawing", function () {
    window.ehelsekgView = { ready: true, nodes: nodes.length, edges: edges.length };
    document.body.setAttribute("data-nodes", String(nodes.length));
    document.body.setAttribute("data-edges", String(edges.length));
  });
  network.fit();
})();
