// Render Vega-Lite specs found in the page. The interpreter (ast: true) keeps
// Vega from compiling expressions with eval, which the CSP forbids.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-vega-spec]").forEach((element) => {
    const source = document.getElementById(element.dataset.vegaSpec);
    if (!source || !window.vegaEmbed) return;
    const spec = JSON.parse(source.textContent);
    window.vegaEmbed(element, spec, {
      ast: true,
      defaultStyle: false,
      renderer: "svg",
      // vega-tooltip would inject a <style> element, which the CSP forbids: its
      // styles live in site.css instead.
      tooltip: { disableDefaultStyle: true },
      actions: { export: true, source: false, compiled: false, editor: false },
    }).catch((error) => {
      element.textContent = "The chart could not be drawn: " + error;
    });
  });
});
