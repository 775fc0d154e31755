// course-ae: the book's frame sliders (course_ae.sliders.FrameSlider). Each slider's frames
// are <img> elements already on the page; moving the slider shows one and hides the rest.
// No network, no kernel, no library.
(function () {
  "use strict";
  function labelsOf(slider) {
    // data-labels holds a Python list repr of strings: ['k = 784', 'k = 256', ...]
    var raw = slider.getAttribute("data-labels") || "[]";
    var out = [], re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g, m;
    while ((m = re.exec(raw)) !== null) { out.push(m[1] !== undefined ? m[1] : m[2]); }
    return out;
  }
  function setUp(slider) {
    var input = slider.querySelector("input[type=range]");
    var output = slider.querySelector("output");
    var frames = slider.querySelectorAll(".course-ae-slider-frame");
    var labels = labelsOf(slider);
    if (!input || !frames.length) { return; }
    function show() {
      var i = parseInt(input.value, 10);
      for (var j = 0; j < frames.length; j++) { frames[j].hidden = (j !== i); }
      if (output && labels[i] !== undefined) { output.textContent = labels[i]; }
    }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  }
  function init() {
    var sliders = document.querySelectorAll(".course-ae-slider");
    for (var i = 0; i < sliders.length; i++) { setUp(sliders[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
