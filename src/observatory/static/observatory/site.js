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
// Questionnaire grids: arrow keys and Enter move between value cells like a
// spreadsheet (up/down in the column, Enter down); Tab keeps its usual order.
const VALUE_INPUT = "input[inputmode=decimal]";
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches(VALUE_INPUT)) return;
  const cell = input.closest("td");
  const row = cell && cell.parentElement;
  const table = row && row.closest("table.entry-grid");
  if (!table) return;
  const down = event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey);
  const up = event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey);
  if (!down && !up) return;
  const rows = Array.from(table.tBodies[0].rows).filter((r) => !r.hidden);
  const column = Array.from(row.cells).indexOf(cell);
  const next = rows[rows.indexOf(row) + (down ? 1 : -1)];
  const target = next && next.cells[column] && next.cells[column].querySelector(VALUE_INPUT);
  event.preventDefault();  // Enter in a cell moves; it does not submit the whole grid
  if (target) { target.focus(); target.select(); }
});
// Rows the respondent adds (open-rows sections): the server renders every empty
// row (enough to add countries without JS); here only the first empty one shows
// and "Add a country" shows the next.
function newRows(section) {
  return Array.from(section.querySelectorAll("tr[data-new-row]"));
}
document.querySelectorAll("button[data-add-row]").forEach((button) => {
  const section = document.getElementById(button.dataset.addRow);
  let shown = false;
  newRows(section).forEach((row) => {
    if (row.hasAttribute("data-filled")) return;
    if (shown) row.hidden = true;
    shown = true;
  });
  button.hidden = !newRows(section).some((row) => row.hidden);
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-add-row]");
  if (!button) return;
  const rows = newRows(document.getElementById(button.dataset.addRow));
  const next = rows.find((row) => row.hidden);
  if (next) {
    next.hidden = false;
    next.querySelector("select").focus();
  }
  button.hidden = !rows.some((row) => row.hidden);
});
