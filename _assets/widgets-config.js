// Loaded on pages that hold Jupyter widgets, after require.js and before
// the widgets HTML manager (see nb_ipywidgets_js in _config.yml).
(function () {
  // 1. Serve the manager's modules and fonts from this site, not a CDN:
  //    without this path require.js resolves them relative to each page.
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  require.config({
    paths: { "@jupyter-widgets/html-manager/dist": here + "vendor/html-manager" },
  });

  // 2. The manager typesets widget descriptions with the MathJax 2 API
  //    (MathJax.Hub.Queue); the book loads MathJax 3, so give it a no-op
  //    shim once MathJax 3 is there (it replaces window.MathJax on load).
  function shimMathJax() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = { Queue: function () {} };
    }
  }
  shimMathJax();

  // 3. A slider's handle (role="slider") gets no accessible name from the
  //    manager: name it after the widget's visible label.
  function labelSliders(root) {
    root.querySelectorAll(".widget-slider .noUi-handle:not([aria-label])").forEach(
      function (handle) {
        var widget = handle.closest(".widget-slider");
        var label = widget && widget.querySelector(".widget-label");
        var text = label && label.textContent.trim();
        handle.setAttribute("aria-label", text || "slider");
      }
    );
  }
  document.addEventListener("DOMContentLoaded", function () {
    shimMathJax();
    labelSliders(document);
    new MutationObserver(function () {
      labelSliders(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
