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

  // YASGUI's markup misses what assistive technology needs (axe-core finds it, see
  // tests/test_query_editor.py): names for its inputs, a keyboard stop on the editor's
  // scroller, and a role for the "new tab" button, which its keyboard handling already treats
  // as the last entry of the tab list (it cannot be moved out: YASGUI inserts new tabs
  // before it). Mended whenever YASGUI draws a tab or a result.
  var names = [
    [".autocomplete", "SPARQL-endepunkt"],
    [".CodeMirror textarea", "SPARQL-spørring"],
    [".tabsList input", "Navn på fanen"],
    ["select.tableSizer", "Rader per side"],
    [".yasr input", "Søk i svaret"],
  ];
  function mend() {
    names.forEach(function (pair) {
      document.querySelectorAll("#yasgui " + pair[0]).forEach(function (element) {
        if (!element.hasAttribute("aria-label")) {
          element.setAttribute("aria-label", pair[1]);
        }
      });
    });
    // CodeMirror takes its scroller out of the tab order (-1): a long query could then not
    // be scrolled from the keyboard.
    document.querySelectorAll("#yasgui .CodeMirror-scroll:not([tabindex='0'])").forEach(function (scroller) {
      scroller.setAttribute("tabindex", "0");
    });
    document.querySelectorAll("#yasgui .tabsList button.addTab:not([role])").forEach(function (button) {
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", "false");
      button.setAttribute("aria-label", "Ny fane");
      button.title = "Ny fane";
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        mend();
      });
    }
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  mend();

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
