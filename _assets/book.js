// The book's own script (added to every page by _ext/book_html.py).
//
// A display equation wider than the column scrolls inside its own box, the
// MathJax container (book.css draws a shadow on the side that has more). Such a box is made
// focusable, with a name, so that keyboard users can scroll it too (axe:
// scrollable-region-focusable); boxes that fit are left alone.
(function () {
  "use strict";

  function markWideEquations() {
    var n = 0;
    document.querySelectorAll('div.math mjx-container[display="true"]').forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-wide", wide);
      if (wide) {
        // a region's name must be unique on the page: the equation's number,
        // or its place among the wide ones
        var eqno = box.parentNode.querySelector(".eqno");
        var number = eqno ? eqno.firstChild.textContent.trim() : "";
        n += 1;
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (number ? "Equation " + number : "Wide equation " + n) +
          ", scrolls sideways");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
    // a figure keeps its natural size (its text as large as a caption's, see
    // book.css): each image sits in a box that scrolls sideways when the
    // column is narrower, reachable and named like a wide equation
    // (Sphinx links a figure shown below its pixel size to the full image)
    document.querySelectorAll("figure > img, figure > a.image-reference").forEach(function (el) {
      var box = document.createElement("div");
      box.className = "figure-scroll";
      el.parentNode.insertBefore(box, el);
      box.appendChild(el);
    });
    document.querySelectorAll("figure .figure-scroll, .bplib-frame").forEach(function (box, i) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("is-wide", wide);
      edges(box);
      if (!box.dataset.edges) {
        box.dataset.edges = "1";
        box.addEventListener("scroll", function () { edges(box); }, { passive: true });
      }
      if (wide) {
        var number = box.closest("figure") && box.closest("figure").querySelector(".caption-number");
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (number ? number.textContent.trim().replace(/\s+$/, "")
          : "Explorer figure " + (i + 1)) + ", scrolls sideways");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
    // a code block wider than the column scrolls: keyboard users reach it too
    // (by even one pixel: it scrolls, and axe counts it as scrolling)
    document.querySelectorAll("main pre").forEach(function (pre) {
      if (pre.scrollWidth > pre.clientWidth) pre.tabIndex = 0;
    });
  }

  // which sides of a scrolling figure have more (book.css fades those)
  function edges(box) {
    box.classList.toggle("at-start", box.scrollLeft <= 1);
    box.classList.toggle("at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  }

  var timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(markWideEquations, 150);
  }

  function start() {
    markWideEquations();
    window.addEventListener("resize", later);
    var main = document.getElementById("main-content");
    if (main && window.ResizeObserver) new ResizeObserver(later).observe(main);
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(markWideEquations);
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();

// Explorers: _ext/book_html.py moved each explorer's frames to a JSON file
// and kept its start-up script unrun (type "text/x-book-deferred"). When the
// explorer comes within a screen of the view, fetch the frames, put them
// back where the script expects them and run it.
(function () {
  "use strict";

  function wake(holder) {
    if (holder.dataset.loading) return;
    holder.dataset.loading = "1";
    var name = holder.dataset.explorer;
    fetch(holder.dataset.frames)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.url);
        return response.text();
      })
      .then(function (json) {
        var data = document.createElement("script");
        data.type = "application/json";
        data.id = name + "-data";
        data.textContent = json;
        var run = document.createElement("script");
        run.textContent = holder.textContent;
        holder.parentNode.insertBefore(data, holder);
        holder.parentNode.replaceChild(run, holder);
      })
      .catch(function (error) {
        console.warn("explorer " + name + ": frames not loaded (" + error + ")");
        delete holder.dataset.loading;
      });
  }

  function start() {
    var holders = document.querySelectorAll('script[type="text/x-book-deferred"][data-frames]');
    holders.forEach(function (holder) {
      var root = document.getElementById(holder.dataset.explorer) || holder.parentNode;
      if (!window.IntersectionObserver) return wake(holder);
      var seen = new IntersectionObserver(
        function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; })) {
            seen.disconnect();
            wake(holder);
          }
        },
        { rootMargin: "100% 0px" }
      );
      seen.observe(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
