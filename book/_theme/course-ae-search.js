// course-ae: readable search snippets. Sphinx's search page (searchtools.js) builds each
// result's snippet from the page's HTML text, where the math is still TeX source
// (\(\hat{\mathbf{x}}\), \[ ... \]) because MathJax has not run on it. Before Sphinx reads
// the text, every math element is replaced by a plain-text rendering of its TeX: Greek
// letters and common symbols as Unicode, \mathbf{x} as x, \hat{x} as x̂, \frac{a}{b} as
// (a)/(b), other commands and braces dropped. No network, no library.
(function () {
  "use strict";
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε",
    zeta: "ζ", eta: "η", theta: "θ", vartheta: "ϑ", iota: "ι", kappa: "κ", lambda: "λ",
    mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", upsilon: "υ",
    phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
    Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ",
    Omega: "Ω", sum: "Σ", prod: "∏", partial: "∂", nabla: "∇", cdot: "·", cdots: "⋯",
    ldots: "…", dots: "…", odot: "⊙", otimes: "⊗", times: "×", le: "≤", leq: "≤",
    ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼", propto: "∝",
    equiv: "≡", in: "∈", notin: "∉", subset: "⊂", subseteq: "⊆", to: "→",
    rightarrow: "→", mapsto: "↦", Rightarrow: "⇒", iff: "⇔", infty: "∞", top: "ᵀ",
    lVert: "‖", rVert: "‖", Vert: "‖", lvert: "|", rvert: "|", mid: "|", langle: "⟨",
    rangle: "⟩", pm: "±", mp: "∓", sqrt: "√", min: "min", max: "max", log: "log",
    exp: "exp", tanh: "tanh", arg: "arg", det: "det", quad: " ", qquad: "  ",
    ",": " ", ";": " ", "!": "", " ": " ", "{": "{", "}": "}", "%": "%", "_": "_",
    "\\": " ", circ: "∘", star: "⋆", ell: "ℓ", forall: "∀", exists: "∃",
  };
  var ACCENTS = { hat: "\u0302", widehat: "\u0302", tilde: "\u0303", widetilde: "\u0303",
                  bar: "\u0304", overline: "\u0305", dot: "\u0307", vec: "\u20d7" };
  var KEEP_ARGUMENT = /^(mathbf|mathrm|mathit|mathcal|mathbb|mathsf|boldsymbol|bm|operatorname|text|textrm|textbf|mbox|displaystyle|left|right|big|Big|bigg|Bigg|bigl|bigr|Bigl|Bigr)$/;

  // The argument that follows position i: a {...} group or a single character.
  function argument(tex, i) {
    while (tex[i] === " ") { i++; }
    if (tex[i] !== "{") { return [tex[i] || "", i + 1]; }
    var depth = 0;
    for (var j = i; j < tex.length; j++) {
      if (tex[j] === "{") { depth++; }
      else if (tex[j] === "}" && --depth === 0) { return [tex.slice(i + 1, j), j + 1]; }
    }
    return [tex.slice(i + 1), tex.length];
  }

  function texToText(tex) {
    var out = "", i = 0;
    while (i < tex.length) {
      var c = tex[i];
      if (c !== "\\") {
        if (c !== "{" && c !== "}" && c !== "&") { out += c; }
        i++;
        continue;
      }
      var m = /^\\([A-Za-z]+|.)/.exec(tex.slice(i));
      var name = m ? m[1] : "";
      i += 1 + name.length;
      if (/^[A-Za-z]/.test(name)) { while (tex[i] === " ") { i++; } }   // as TeX does
      if (name === "(" || name === ")" || name === "[" || name === "]") { continue; }
      if (name === "begin" || name === "end") { i = argument(tex, i)[1]; continue; }
      if (name === "frac" || name === "dfrac" || name === "tfrac") {
        var a = argument(tex, i), b = argument(tex, a[1]);
        out += "(" + texToText(a[0]) + ")/(" + texToText(b[0]) + ")";
        i = b[1];
        continue;
      }
      if (ACCENTS.hasOwnProperty(name)) {
        var arg = argument(tex, i);
        out += texToText(arg[0]) + ACCENTS[name];
        i = arg[1];
        continue;
      }
      if (SYMBOLS.hasOwnProperty(name)) { out += SYMBOLS[name]; continue; }
      if (KEEP_ARGUMENT.test(name)) { continue; }   // the argument follows as plain text
      // Any other command (\label, \tag, spacing, ...) is dropped with its name.
    }
    return out.replace(/\^ᵀ/g, "ᵀ").replace(/\s+/g, " ").trim();
  }

  function readableMath(htmlString) {
    var doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".math").forEach(function (el) {
      el.replaceWith(doc.createTextNode(" " + texToText(el.textContent) + " "));
    });
    return doc.documentElement.outerHTML;
  }

  function install() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.courseAeReadable) {
      return;
    }
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      return original(readableMath(htmlString), anchor);
    };
    Search.courseAeReadable = true;
  }

  window.courseAeTexToText = texToText;   // for the tests
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();
