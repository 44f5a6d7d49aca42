// Behaviour that would otherwise need inline scripts (forbidden by the CSP).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-copy]");
  if (target) {
    navigator.clipboard.writeText(document.querySelector(target.dataset.copy).textContent.trim());
    target.textContent = target.dataset.copied || "Copied";
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Drag and drop onto an upload zone fills its file input.
document.addEventListener("dragover", (event) => {
  const zone = event.target.closest && event.target.closest("[data-dropzone]");
  if (zone) { event.preventDefault(); zone.classList.add("dragging"); }
});
document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest && event.target.closest("[data-dropzone]");
  if (zone) zone.classList.remove("dragging");
});
document.addEventListener("drop", (event) => {
  const zone = event.target.closest && event.target.closest("[data-dropzone]");
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("dragging");
  const input = zone.querySelector("input[type=file]");
  if (input && event.dataTransfer.files.length) {
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
