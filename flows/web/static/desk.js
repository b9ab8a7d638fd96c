// Keyboard-only review: j/k next/previous (queue rows or runs), o/h/r/v choose what to accept and
// move to the note, Ctrl+Enter records the decision, q back to the queue. Keys typed into a field are left alone.
document.addEventListener("keydown", function (event) {
  var form = event.target.form;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form && form.id === "decide-form") {
    form.requestSubmit();  // Ctrl+Enter in the note records the decision
    event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  var tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select") return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("a.row-link"));
  if (rows.length && (event.key === "j" || event.key === "k")) {
    var at = rows.indexOf(document.activeElement);
    var next = event.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
    rows[next].focus();
    event.preventDefault();
    return;
  }
  var link = { j: "next", k: "prev", q: "to-queue" }[event.key];
  if (link && document.getElementById(link)) { document.getElementById(link).click(); event.preventDefault(); return; }
  var choice = document.querySelector('input[name="accept"][data-key="' + event.key + '"]');
  if (choice && !choice.disabled) {
    choice.checked = true;
    document.getElementById(event.key === "v" ? "value" : "note").focus();
    event.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector("a.row-link");
  if (first) first.focus();
});
