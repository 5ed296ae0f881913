// The row screen, keyboard first.  Written by hand (no framework): the flow is a dozen key
// bindings and three requests, and the Sở's network may have no internet for a CDN.
//
// Enter: save the field's value as shown (a suggestion is pre-filled, so accepting it is one
// key) and jump to the next field that needs a person; typing replaces (the value is selected
// on focus); Tab / Shift-Tab move as usual; F8: the cell is blank; F9: it cannot be read.
// While typing, the row's checks are recomputed by the server (the same rules as approval).
"use strict";

(function () {
  const rowEl = document.getElementById("row");
  if (!rowEl) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const flash = document.getElementById("flash");
  const canEdit = rowEl.dataset.canEdit === "yes";
  const inputs = () => Array.from(rowEl.querySelectorAll("input[data-field-id]"));
  const byId = (id) => document.getElementById("input-" + id);
  let checkTimer = null;

  function say(message, info) {
    flash.textContent = message || "";
    flash.className = info ? "info" : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { detail: "Lỗi máy chủ (" + response.status + ")." }; }
    return { ok: response.ok, status: response.status, data };
  }

  function renderChecks(checks) {
    const list = document.getElementById("checks");
    list.replaceChildren();
    for (const c of checks) {
      const li = document.createElement("li");
      li.className = "check " + (c.ok ? "pass" : c.ok === false ? "fail" : "unknown") + (c.blocking ? "" : " warning");
      li.dataset.fields = c.fields.join(",");
      li.dataset.code = c.code;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = (c.ok ? "✓ " : c.ok === false ? "✗ " : "? ") + c.message;
      li.appendChild(button);
      list.appendChild(li);
    }
  }

  function applyRow(row) {
    rowEl.dataset.rowVersion = row.version;
    document.querySelectorAll("input.row-version").forEach((el) => { el.value = row.version; });
    renderChecks(row.checks);
    for (const f of row.fields) {
      const input = byId(f.id);
      if (!input) continue;
      input.dataset.version = f.version;
      input.dataset.saved = f.value;
      if (document.activeElement !== input || input.closest("tr").classList.contains("saving")) {
        input.value = f.status === "needs_review" && f.suggestion !== null ? f.suggestion : f.value;
      }
      const tr = document.getElementById("field-" + f.id);
      tr.className = "field status-" + f.status;
      document.getElementById("status-" + f.id).textContent = f.status_label;
      document.getElementById("reason-" + f.id).textContent = f.reason;
      document.getElementById("suggest-" + f.id).textContent = f.suggestion !== null ? "Gợi ý: " + f.suggestion : "";
    }
  }

  function typedValues() {
    const values = {};
    for (const input of inputs()) values[input.name] = input.value.normalize("NFC");
    return values;
  }

  async function liveCheck() {
    const rowId = rowEl.dataset.rowId;
    const result = await post("/api/rows/" + rowId + "/checks", { values: typedValues() });
    if (!result.ok) return;
    renderChecks(result.data.checks);
    const invalid = Object.values(result.data.invalid);
    if (invalid.length) say(invalid[0]); else if (flash.textContent && !flash.className) say("");
  }

  function focusField(id) {
    const input = byId(id);
    if (input) { input.focus(); input.select(); }
  }

  function afterRowDone() {
    const approve = document.getElementById("approve");
    if (approve) { approve.focus(); return; }
    const next = document.getElementById("next-row");
    if (next) window.location.assign(next.href);
  }

  async function decide(input, decision) {
    const tr = input.closest("tr");
    tr.classList.add("saving");
    const result = await post("/api/fields/" + input.dataset.fieldId, {
      version: Number(input.dataset.version),
      decision: decision,
      value: input.value.normalize("NFC"),
    });
    // applyRow rewrites a focused input only while its row is "saving": the input being saved
    // shows what was stored (or, after a conflict, the other person's value).
    if (!result.ok) {
      say(result.data.detail || "Không lưu được.");
      if (result.status === 409) {
        // Someone else changed it: show their value and let this reviewer decide again.
        const fresh = await fetch("/api/rows/" + rowEl.dataset.rowId, { credentials: "same-origin" });
        if (fresh.ok) applyRow(await fresh.json());
      }
      tr.classList.remove("saving");
      input.focus();
      return;
    }
    say("Đã lưu.", true);
    applyRow(result.data.row);
    tr.classList.remove("saving");
    if (result.data.next_field_id) focusField(result.data.next_field_id);
    else afterRowDone();
  }

  for (const input of inputs()) {
    input.addEventListener("focus", () => input.select());
    if (!canEdit) continue;
    input.addEventListener("input", () => {
      clearTimeout(checkTimer);
      checkTimer = setTimeout(liveCheck, 150);
    });
    input.addEventListener("paste", () => {
      setTimeout(() => { input.value = input.value.normalize("NFC"); }, 0);
    });
    input.addEventListener("keydown", (event) => {
      if (event.isComposing) return; // an IME (Telex/VNI) is still building the syllable
      if (event.key === "Enter") { event.preventDefault(); decide(input, "set"); }
      else if (event.key === "F8") { event.preventDefault(); input.value = ""; decide(input, "blank"); }
      else if (event.key === "F9") { event.preventDefault(); decide(input, "illegible"); }
    });
  }

  document.getElementById("checks").addEventListener("click", (event) => {
    const li = event.target.closest("li");
    if (!li || !li.dataset.fields) return;
    const name = li.dataset.fields.split(",")[0];
    const input = rowEl.querySelector('input[name="' + CSS.escape(name) + '"]');
    if (input) { input.focus(); input.select(); }
  });

  const first = rowEl.dataset.firstField;
  if (first && canEdit) focusField(first);
  else if (canEdit) afterRowDoneFocusOnly();

  function afterRowDoneFocusOnly() {
    const approve = document.getElementById("approve");
    if (approve) approve.focus();
  }
})();
