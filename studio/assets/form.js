// The playground's form, generated from a model's schema.

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
};
export { el };

const show = (value) => (typeof value === "string" ? value : JSON.stringify(value));

/** The field a validation error belongs to: `multi_prompt[1].duration` → `multi_prompt`. */
const fieldsOf = (param) => param.split(", ").map((p) => p.split(/[\[.]/)[0]);

/** A form for one schema; `onChange` runs after every edit. */
export function createForm(formEl, errorsEl, onChange) {
  let readers = [];
  let schema = null;

  function fieldBox(name, required, hintText) {
    const box = el("div", { class: "field", "data-param": name });
    const label = el("span", { class: "name", text: name });
    if (required) label.append(el("span", { class: "req", text: " *" }));
    box.append(label);
    box.hintText = hintText;
    return box;
  }

  function finish(box, control) {
    box.append(control);
    if (box.hintText) box.append(el("span", { class: "hint", text: box.hintText }));
    box.append(el("span", { class: "field-error", role: "alert" }));
    formEl.append(box);
  }

  /** A select of `values`, with "not sent" first for optional ones. */
  function selectOf(values, required, current) {
    const select = el("select");
    if (!required) select.append(el("option", { value: "", text: "(not sent)" }));
    values.forEach((v, i) => select.append(el("option", { value: String(i), text: show(v) })));
    const at = values.findIndex((v) => JSON.stringify(v) === JSON.stringify(current));
    select.value = at >= 0 ? String(at) : required ? "0" : "";
    select.read = () => (select.value === "" ? undefined : values[Number(select.value)]);
    return select;
  }

  function numberOf(ty, range, current) {
    const input = el("input", { type: "number", step: ty === "integer" ? "1" : "any" });
    if (range) {
      input.min = String(range.min);
      input.max = String(range.max);
    }
    if (current !== undefined && current !== null) input.value = String(current);
    input.read = () => {
      if (input.validity.badInput) return "(not a number)";
      if (input.value.trim() === "") return undefined;
      return Number(input.value);
    };
    return input;
  }

  function textOf(param, current) {
    const long = param.name.includes("prompt") || (param.max_length ?? 0) > 200;
    const input = long ? el("textarea", { rows: 3 }) : el("input", { type: "text" });
    if (typeof current === "string") input.value = current;
    input.read = () => (input.value === "" ? undefined : input.value);
    return input;
  }

  function hint(param) {
    const parts = [];
    if (param.description) parts.push(param.description);
    if (param.default !== null && param.default !== undefined) parts.push(`default: ${show(param.default)}`);
    if (param.range) parts.push(`${param.range.min} to ${param.range.max}`);
    if (param.max_length) parts.push(`at most ${param.max_length} characters`);
    return parts.join(" · ");
  }

  function scalar(param, current) {
    if (param.values && param.values.length) return selectOf(param.values, param.required, current);
    switch (param.type) {
      case "boolean": {
        const box = el("input", { type: "checkbox" });
        box.checked = current === true;
        const hasDefault = param.default !== null && param.default !== undefined;
        box.read = () => (box.checked || hasDefault || param.required ? box.checked : undefined);
        return box;
      }
      case "integer":
      case "number":
        return numberOf(param.type, param.range, current);
      case "string":
        return textOf(param, current);
      default: {
        const area = el("textarea", { rows: 2, placeholder: `JSON ${param.type}` });
        if (current !== undefined && current !== null) area.value = JSON.stringify(current);
        area.read = () => {
          if (area.value.trim() === "") return undefined;
          try { return JSON.parse(area.value); } catch { return area.value; }
        };
        return area;
      }
    }
  }

  /** A list of objects, e.g. Kling's `multi_prompt` shots. */
  function listOf(param, current) {
    const fields = param.items.fields;
    const wrap = el("div", { class: "list" });
    const rows = el("div");
    const add = el("button", { type: "button", class: "small", text: "+ add shot" });
    const addRow = (value = {}) => {
      const row = el("div", { class: "shot" });
      const controls = [];
      for (const field of fields) {
        const given = value[field.name] ?? field.default ?? undefined;
        const control = field.values && field.values.length
          ? selectOf(field.values, true, given)
          : field.type === "integer" || field.type === "number"
            ? numberOf(field.type, field.range, given)
            : textOf({ ...field, name: field.name }, given);
        control.setAttribute("aria-label", `${param.name} ${field.name}`);
        control.dataset.field = field.name;
        controls.push([field.name, control]);
        row.append(el("div", { class: "row" }, el("span", { class: "small muted", text: field.name }), control));
      }
      const remove = el("button", { type: "button", class: "small", text: "remove" });
      remove.onclick = () => { row.remove(); onChange(); };
      row.append(remove);
      row.read = () => {
        const shot = {};
        for (const [name, control] of controls) {
          const v = control.read();
          if (v !== undefined) shot[name] = v;
        }
        return shot;
      };
      rows.append(row);
    };
    (Array.isArray(current) ? current : []).forEach((shot) => addRow(shot));
    add.onclick = () => { addRow(); onChange(); };
    wrap.append(rows, add);
    wrap.read = () => {
      const shots = [...rows.children].map((r) => r.read());
      return shots.length ? shots : undefined;
    };
    return wrap;
  }

  /** The image list: each an http(s) URL or a file sent inline as a data: URI. */
  function images(rule, current) {
    const box = fieldBox(rule.param, rule.min > 0,
      rule.min === rule.max ? `exactly ${rule.min} image(s): a URL or a file` : `${rule.min} to ${rule.max} images: URLs or files`);
    const rows = el("div");
    const add = el("button", { type: "button", class: "small", text: "+ add image" });
    const addRow = (value = "") => {
      const i = rows.children.length;
      const role = rule.roles && rule.roles[i] ? rule.roles[i] : `image ${i + 1}`;
      const url = el("input", { type: "url", placeholder: `${role}: https://…`, "aria-label": role });
      const file = el("input", { type: "file", accept: "image/*", class: "small", "aria-label": `${role} file` });
      const remove = el("button", { type: "button", class: "small", text: "×", title: "remove" });
      const row = el("div", { class: "row" }, url, file, remove);
      if (value.startsWith("data:")) { row.dataUri = value; url.placeholder = `${role}: an uploaded file`; }
      else url.value = value;
      url.oninput = () => { row.dataUri = undefined; };
      file.onchange = async () => {
        const chosen = file.files[0];
        if (!chosen) return;
        const answer = await fetch("/api/image", { method: "POST", headers: { "content-type": chosen.type || "application/octet-stream" }, body: chosen });
        const body = await answer.json();
        if (!answer.ok) { box.querySelector(".field-error").textContent = body.error; return; }
        row.dataUri = body.data_uri;
        url.value = "";
        url.placeholder = `${role}: ${chosen.name} (${Math.round(body.bytes / 1024)} KB, sent inline)`;
        onChange();
      };
      remove.onclick = () => { row.remove(); add.hidden = false; onChange(); };
      rows.append(row);
      add.hidden = rows.children.length >= rule.max;
    };
    const given = Array.isArray(current) ? current : [];
    given.forEach((v) => addRow(String(v)));
    for (let i = given.length; i < Math.max(rule.min, 1); i++) addRow();
    add.onclick = () => { addRow(); onChange(); };
    const wrap = el("div", {}, rows, add);
    readers.push([rule.param, () => {
      const list = [...rows.children].map((r) => r.dataUri || r.querySelector("input[type=url]").value.trim()).filter(Boolean);
      return list.length ? list : undefined;
    }]);
    finish(box, wrap);
  }

  return {
    /** Shows the form of `next`, prefilled with `input` (or the defaults). */
    render(next, input) {
      schema = next;
      readers = [];
      formEl.replaceChildren();
      errorsEl.replaceChildren();
      for (const param of schema.params) {
        const given = input ? input[param.name] : undefined;
        const current = given !== undefined ? given : input && !param.required && param.default === null ? undefined : param.default;
        const box = fieldBox(param.name, param.required, hint(param));
        const control = param.type === "array" && param.items && param.items.type === "object" && param.items.fields.length
          ? listOf(param, given)
          : scalar(param, current ?? undefined);
        control.setAttribute?.("aria-label", param.name);
        readers.push([param.name, () => control.read()]);
        finish(box, control);
      }
      if (schema.image_inputs) images(schema.image_inputs, input ? input[schema.image_inputs.param] : undefined);
      const exclusive = (schema.constraints || []).filter((c) => c.kind === "exactly_one_of");
      for (const rule of exclusive) {
        for (const name of rule.params) {
          const box = formEl.querySelector(`[data-param="${CSS.escape(name)}"] .hint`);
          const others = rule.params.filter((p) => p !== name).join(", ");
          if (box) box.textContent = `${box.textContent ? box.textContent + " · " : ""}either this or ${others}, not both`;
        }
      }
      formEl.oninput = () => onChange();
      formEl.onchange = () => onChange();
    },

    /** The input as JSON, with only the fields given. */
    collect() {
      const input = {};
      for (const [name, read] of readers) {
        const value = read();
        if (value !== undefined) input[name] = value;
      }
      return input;
    },

    /** Shows each error next to its field (the rest under the form); [] clears them. */
    showErrors(errors) {
      for (const box of formEl.querySelectorAll(".field")) {
        box.classList.remove("invalid");
        box.querySelector(".field-error").textContent = "";
      }
      errorsEl.replaceChildren();
      for (const error of errors) {
        let placed = false;
        for (const name of fieldsOf(error.param)) {
          const box = formEl.querySelector(`.field[data-param="${CSS.escape(name)}"]`);
          if (!box) continue;
          box.classList.add("invalid");
          const slot = box.querySelector(".field-error");
          slot.textContent = slot.textContent ? `${slot.textContent}\n${error.message}` : error.message;
          placed = true;
        }
        if (!placed) errorsEl.append(el("li", { text: error.message }));
      }
    },
  };
}
