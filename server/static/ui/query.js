// The query page: YASGUI pointed at this server's /sparql, and the named queries as buttons
// that open their text in a new tab. Nothing is loaded from another site: the autocompleters
// that call out (LOV for classes and properties) are off, and the endpoint list holds only
// this server.
(function () {
  "use strict";
  var body = document.body;
  var endpoint = new URL(body.dataset.endpoint, window.location.href).href;
  var namedUrl = new URL(body.dataset.named, window.location.href).href;

  if (Yasgui.Yasqe && Yasgui.Yasqe.defaults) {
    Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    Yasgui.Yasqe.defaults.prefixCcApi = null;
  }
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: "ehelsekg-yasgui",
    corsProxy: undefined,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
  });

  var texts = {};
  fetch(namedUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("named queries: HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (queries) {
      queries.forEach(function (query) {
        texts[query.name] = query;
      });
    })
    .catch(function (error) {
      console.warn(error);
    });

  document.querySelectorAll("#named-queries button[data-query]").forEach(function (button) {
    button.addEventListener("click", function () {
      var query = texts[button.dataset.query];
      if (!query) {
        return;
      }
      var tab = yasgui.addTab(true, { name: query.title });
      tab.setEndpoint(endpoint);
      tab.setQuery(query.text);
    });
  });
})();
