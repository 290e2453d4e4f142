// The static explorer's script: shows the precomputed frame that the
// controls select. bplib.explorers._static.render inlines it once per
// explorer, with __ID__ replaced by the explorer's element id.
(function () {
  var id = "__ID__", root = document.getElementById(id);
  if (!root || root.getAttribute("data-live")) return;
  root.setAttribute("data-live", "1");
  var data = JSON.parse(document.getElementById(id + "-data").textContent);
  var img = document.getElementById(id + "-img"), say = document.getElementById(id + "-verdict");
  var inputs = data.controls.map(function (c) { return document.getElementById(id + "-" + c.name); });
  var outputs = data.controls.map(function (c) { return document.getElementById(id + "-" + c.name + "-out"); });
  function show() {
    var k = 0;
    inputs.forEach(function (input, j) {
      var c = data.controls[j], i = Number(input.value), text = c.labels[i];
      k = k * c.labels.length + i;
      if (outputs[j]) outputs[j].textContent = text;
      if (input.type === "range") input.setAttribute("aria-valuetext", text);
    });
    var runs = data.frames[k], svg = [], end = 0;
    for (var r = 0; r < runs.length; r += 2) {
      var start = end + runs[r];
      end = start + runs[r + 1];
      svg.push.apply(svg, data.lines.slice(start, end));
    }
    svg = svg.join("\n");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    img.alt = data.alts[k];
    say.textContent = data.verdicts[k];
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    // arrow keys move the control, not JupyterLab's cell selection
    input.addEventListener("keydown", function (event) { event.stopPropagation(); });
  });
  document.getElementById(id + "-controls").style.display = "grid";  // where this runs
})();
