#!/usr/bin/env python3
"""Writes the hub's 20 models as Rust source without `#[video_model]`, for the compile-time
comparison of benches/compile-time/run.sh.

    gen.py hand  MODELS_JSON OUT_DIR   plain structs + serde derive + setters written out
    gen.py bon   MODELS_JSON OUT_DIR   the same structs with #[derive(bon::Builder)]

Both variants give each model what `#[video_model]` gives it: the struct with serde
`Serialize` (unset options skipped, defaults sent), one enum per enumerated parameter with
`Display`, `FromStr` and its wire serialization, a `validate()` for ranges, lengths and
exactly-one-of groups, and a `SCHEMA` constant of `videohub_core::ModelSchema`. They differ
only in how a request is built: setters by hand, or bon's generated builder. OUT_DIR/src/lib.rs
is written; the Cargo.toml is run.sh's.
"""

import json
import re
import sys
from pathlib import Path


def variant_name(value):
    """The macro's naming (macros/src/naming.rs): 720p -> P720, 16:9 -> Ratio16x9, 5 -> V5."""
    value = str(value)
    m = re.fullmatch(r"(\d+):(\d+)", value)
    if m:
        return f"Ratio{m.group(1)}x{m.group(2)}"
    if value[:1].isalpha():
        words = [w for w in re.split(r"[^A-Za-z0-9]", value) if w]
        return "".join(w[0].upper() + w[1:] for w in words)
    m = re.fullmatch(r"(\d+)([A-Za-z]*)", value)
    if m:
        digits, suffix = m.groups()
        return f"V{digits}" if not suffix else f"{suffix.upper()}{digits}"
    return None


def type_name(wire):
    return "".join(w[0].upper() + w[1:] for w in wire.split("_") if w)


def struct_name(model_id):
    return "".join(w[0].upper() + w[1:] for w in re.split(r"[-.]", model_id) if w)


def module_name(model_id):
    return re.sub(r"[^a-z0-9]", "_", model_id.lower())


def rust_str(text):
    return json.dumps(text, ensure_ascii=False)


def doc(text, indent=""):
    text = " ".join((text or "").split())
    return f"{indent}/// {text}\n" if text else ""


def literal(value):
    """A `videohub_core::schema::Literal` constant."""
    if isinstance(value, bool):
        return f"Literal::Bool({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"Literal::Int({value})"
    if isinstance(value, float):
        return f"Literal::Float({value!r})"
    return f"Literal::str({rust_str(value)})"


def float_lit(value):
    text = repr(float(value))
    return text if "." in text or "e" in text else text + ".0"


PARAM_TYPE = {
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "array": "Array",
    "object": "Object",
}


class Param:
    def __init__(self, raw, model):
        self.raw = raw
        self.wire = raw["name"]
        self.field = raw["name"]
        self.ty = raw["type"]
        self.values = raw.get("values")
        self.default = raw.get("default")
        self.required = bool(raw.get("required"))
        self.range = raw.get("range")
        self.max_length = raw.get("max_length")
        self.items = raw.get("items")
        self.description = raw.get("description", "")
        self.enum = type_name(self.wire) if self.values else None
        self.shot = self.ty == "array" and (self.items or {}).get("type") == "object"
        self.model = model

    def base_type(self):
        if self.enum:
            return self.enum
        if self.ty == "string":
            return "String"
        if self.ty == "integer":
            return "i64"
        if self.ty == "number":
            return "f64"
        if self.ty == "boolean":
            return "bool"
        if self.shot:
            return "Vec<Shot>"
        return "Vec<String>"

    def has_value(self):
        """Whether the field always holds a value (required or defaulted)."""
        return self.required or self.default is not None

    def rust_type(self):
        base = self.base_type()
        return base if self.has_value() else f"Option<{base}>"

    def default_expr(self):
        d = self.default
        if self.enum:
            return f"{self.enum}::{variant_name(d)}"
        if self.ty == "string":
            return f"{rust_str(d)}.to_owned()"
        if self.ty == "boolean":
            return "true" if d else "false"
        if self.ty == "number":
            return float_lit(d)
        return str(d)

    def setter_arg(self):
        """The setter's argument type and the expression that stores it."""
        base = self.base_type()
        if base == "String":
            return "impl Into<String>", "value.into()"
        if base.startswith("Vec<"):
            inner = base[4:-1]
            return f"impl IntoIterator<Item = {inner}>", "value.into_iter().collect()"
        return base, "value"


class Model:
    def __init__(self, raw):
        self.raw = raw
        self.id = raw["id"]
        self.name = struct_name(self.id)
        self.module = module_name(self.id)
        self.params = [Param(p, self) for p in raw["params"]]
        self.images = raw.get("image_inputs")
        self.constraints = raw.get("constraints") or []
        self.duration_enum = next(
            (p.enum for p in self.params if p.wire == "duration" and p.enum), None
        )


def gen_enum(p):
    out = []
    variants = [(variant_name(v) or f"V{i}", v) for i, v in enumerate(p.values)]
    is_int = p.ty == "integer"
    out.append(f"/// The values `{p.wire}` allows.\n")
    out.append("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n")
    out.append(f"pub enum {p.enum} {{\n")
    for name, value in variants:
        out.append(f"    /// `{value}`\n    {name},\n")
    out.append("}\n\n")
    out.append(f"impl {p.enum} {{\n")
    out.append("    /// Every allowed value, in the model's order.\n")
    out.append(f"    pub const ALL: &'static [Self] = &[{', '.join('Self::' + n for n, _ in variants)}];\n\n")
    out.append("    /// The wire value, as text.\n")
    out.append("    pub const fn as_str(self) -> &'static str {\n        match self {\n")
    for name, value in variants:
        out.append(f"            Self::{name} => {rust_str(str(value))},\n")
    out.append("        }\n    }\n")
    if is_int:
        out.append("\n    /// The wire value, as the integer sent to the hub.\n")
        out.append("    pub const fn value(self) -> i64 {\n        match self {\n")
        for name, value in variants:
            out.append(f"            Self::{name} => {value},\n")
        out.append("        }\n    }\n")
    out.append("}\n\n")
    if p.default is not None:
        out.append(f"impl Default for {p.enum} {{\n    fn default() -> Self {{\n")
        out.append(f"        Self::{variant_name(p.default)}\n    }}\n}}\n\n")
    out.append(f"impl fmt::Display for {p.enum} {{\n")
    out.append("    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n")
    out.append("        f.write_str(self.as_str())\n    }\n}\n\n")
    out.append(f"impl FromStr for {p.enum} {{\n    type Err = ParamError;\n\n")
    out.append("    fn from_str(s: &str) -> Result<Self, Self::Err> {\n        match s {\n")
    for name, value in variants:
        out.append(f"            {rust_str(str(value))} => Ok(Self::{name}),\n")
    out.append("            _ => Err(ParamError::new(\n")
    out.append(f"                {rust_str(p.wire)},\n")
    out.append("                Problem::NotAllowed {\n                    value: s.to_owned(),\n")
    out.append(f"                    allowed: {p.enum.upper()}_VALUES.to_vec(),\n")
    out.append("                },\n            )),\n        }\n    }\n}\n\n")
    out.append(f"impl Serialize for {p.enum} {{\n")
    out.append("    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n")
    if is_int:
        out.append("        serializer.serialize_i64(self.value())\n")
    else:
        out.append("        serializer.serialize_str(self.as_str())\n")
    out.append("    }\n}\n\n")
    out.append(f"const {p.enum.upper()}_VALUES: &[Literal] = &[{', '.join(literal(v) for _, v in variants)}];\n\n")
    return "".join(out)


def gen_shot(m):
    duration = m.duration_enum or "String"
    return (
        "/// One shot of a multi-shot video.\n"
        "#[derive(Debug, Clone, PartialEq, Serialize)]\n"
        "pub struct Shot {\n"
        "    /// What the shot shows.\n    pub prompt: String,\n"
        f"    /// How long the shot lasts.\n    pub duration: {duration},\n"
        "}\n\n"
    )


def gen_struct(m, variant):
    out = [doc(m.raw.get("description"))]
    derives = "Debug, Clone, PartialEq, Serialize"
    if variant == "bon":
        derives += ", bon::Builder"
    out.append(f"#[derive({derives})]\npub struct {m.name} {{\n")
    for p in m.params:
        out.append(doc(p.description, "    "))
        if not p.has_value():
            out.append('    #[serde(skip_serializing_if = "Option::is_none")]\n')
        if variant == "bon":
            attrs = []
            if p.default is not None:
                attrs.append(f"default = {p.default_expr()}")
            if p.base_type() == "String":
                attrs.append("into")
            if attrs:
                out.append(f"    #[builder({', '.join(attrs)})]\n")
        out.append(f"    {p.field}: {p.rust_type()},\n")
    if m.images:
        out.append("    /// The images, as URLs or data URIs.\n")
        out.append(f"    {m.images['param']}: Vec<String>,\n")
    out.append("}\n\n")
    return "".join(out)


def gen_setters(m):
    required = [p for p in m.params if p.required]
    args = [f"{p.field}: impl Into<String>" if p.base_type() == "String" else f"{p.field}: {p.base_type()}" for p in required]
    if m.images:
        args.append(f"{m.images['param']}: impl IntoIterator<Item = String>")
    out = [f"impl {m.name} {{\n"]
    out.append("    /// A request with its required parameters and every documented default.\n")
    out.append(f"    pub fn new({', '.join(args)}) -> Self {{\n        {m.name} {{\n")
    for p in m.params:
        if p.required:
            value = f"{p.field}.into()" if p.base_type() == "String" else p.field
        elif p.default is not None:
            value = p.default_expr()
        else:
            value = "None"
        out.append(f"            {p.field}: {value},\n")
    if m.images:
        out.append(f"            {m.images['param']}: {m.images['param']}.into_iter().collect(),\n")
    out.append("        }\n    }\n")
    for p in m.params:
        if p.required:
            continue
        arg, store = p.setter_arg()
        stored = store if p.has_value() else f"Some({store})"
        out.append(f"\n{doc(p.description, '    ')}")
        out.append(f"    pub fn {p.field}(mut self, value: {arg}) -> Self {{\n")
        out.append(f"        self.{p.field} = {stored};\n        self\n    }}\n")
    out.append("}\n\n")
    return "".join(out)


def gen_validate(m):
    out = [f"impl {m.name} {{\n"]
    out.append("    /// Checks ranges, lengths and exactly-one-of groups.\n")
    out.append("    pub fn validate(&self) -> Result<(), ValidationErrors> {\n")
    checked = any(p.range or p.max_length for p in m.params) or any(
        c["kind"] == "exactly_one_of" for c in m.constraints
    )
    out.append(f"        let {'mut ' if checked else ''}errors = Vec::new();\n")
    for i, p in enumerate(m.params):
        checks = []
        if p.range:
            checks.append(("range", i))
        if p.max_length:
            checks.append(("length", i))
        for kind, _ in checks:
            value = "*value" if p.base_type() in ("i64", "f64") else "value"
            if p.has_value():
                out.append(f"        {{\n            let value = &self.{p.field};\n")
            else:
                out.append(f"        if let Some(value) = &self.{p.field} {{\n")
            if kind == "range":
                lo, hi = p.range["min"], p.range["max"]
                if p.ty == "number":
                    lo, hi = float(lo), float(hi)
                out.append(f"            let range = Range {{ min: {literal(lo)}, max: {literal(hi)} }};\n")
                out.append(f"            if !range.contains({value} as f64) {{\n")
                out.append(f"                errors.push(ParamError::new({rust_str(p.wire)}, Problem::OutOfRange {{\n")
                out.append("                    value: value.to_string(),\n")
                out.append("                    range,\n")
                out.append("                }));\n            }\n")
            else:
                out.append("            let length = value.chars().count();\n")
                out.append(f"            if length > {p.max_length} {{\n")
                out.append(f"                errors.push(ParamError::new({rust_str(p.wire)}, Problem::TooLong {{ length, max: {p.max_length} }}));\n")
                out.append("            }\n")
            out.append("        }\n")
    for c in m.constraints:
        if c["kind"] != "exactly_one_of":
            continue
        fields = [p for p in m.params if p.wire in c["params"]]
        count = " + ".join(f"usize::from(self.{p.field}.is_some())" for p in fields)
        out.append(f"        if {count} != 1 {{\n")
        out.append(f"            errors.push(ParamError::new({rust_str(fields[0].wire)}, Problem::Missing));\n")
        out.append("        }\n")
    out.append("        ValidationErrors::check(errors)\n    }\n}\n\n")
    return "".join(out)


def gen_param_schema(p, indent):
    pad = " " * indent
    values = f"Some(Cow::Borrowed({p.enum.upper()}_VALUES))" if p.enum else "None"
    default = f"Some({literal(p.default)})" if p.default is not None else "None"
    rng = "None"
    if p.range:
        lo, hi = p.range["min"], p.range["max"]
        if p.ty == "number":
            lo, hi = float(lo), float(hi)
        rng = f"Some(Range {{ min: {literal(lo)}, max: {literal(hi)} }})"
    max_length = f"Some({p.max_length})" if p.max_length else "None"
    items = "None"
    if p.ty == "array":
        if p.shot:
            fields = (
                "Cow::Borrowed(&[ParamSchema::new(\"prompt\", ParamType::String), "
                "ParamSchema::new(\"duration\", ParamType::String)])"
            )
            items = f"Some(Items {{ ty: ParamType::Object, fields: {fields} }})"
        else:
            items = "Some(Items { ty: ParamType::String, fields: Cow::Borrowed(&[]) })"
    return (
        f"{pad}ParamSchema {{\n"
        f"{pad}    name: Cow::Borrowed({rust_str(p.wire)}),\n"
        f"{pad}    ty: ParamType::{PARAM_TYPE[p.ty]},\n"
        f"{pad}    required: {'true' if p.required else 'false'},\n"
        f"{pad}    default: {default},\n"
        f"{pad}    values: {values},\n"
        f"{pad}    range: {rng},\n"
        f"{pad}    max_length: {max_length},\n"
        f"{pad}    items: {items},\n"
        f"{pad}    description: Cow::Borrowed({rust_str(' '.join(p.description.split()))}),\n"
        f"{pad}}},\n"
    )


CATEGORY = {
    "text-to-video": "TextToVideo",
    "image-to-video": "ImageToVideo",
    "reference-to-video": "ReferenceToVideo",
    "first-last-frame": "FirstLastFrame",
    "video-edit": "VideoEdit",
}


def gen_schema(m):
    out = [f"/// The schema of `{m.id}`.\n", "pub static SCHEMA: ModelSchema = ModelSchema {\n"]
    out.append(f"    id: Cow::Borrowed({rust_str(m.id)}),\n")
    out.append(f"    name: Cow::Borrowed({rust_str(m.raw['name'])}),\n")
    out.append(f"    vendor: Cow::Borrowed({rust_str(m.raw['vendor'])}),\n")
    out.append(f"    category: Category::{CATEGORY[m.raw['category']]},\n")
    out.append(f"    description: Cow::Borrowed({rust_str(m.raw.get('description', ''))}),\n")
    out.append("    params: Cow::Borrowed(&[\n")
    for p in m.params:
        out.append(gen_param_schema(p, 8))
    out.append("    ]),\n")
    if m.images:
        roles = ", ".join(f"Cow::Borrowed({rust_str(r)})" for r in m.images.get("roles", []))
        out.append(
            f"    image_inputs: Some(ImageInputs {{ param: Cow::Borrowed({rust_str(m.images['param'])}), "
            f"min: {m.images['min']}, max: {m.images['max']}, roles: Cow::Borrowed(&[{roles}]) }}),\n"
        )
    else:
        out.append("    image_inputs: None,\n")
    out.append("    constraints: Cow::Borrowed(&[\n")
    for c in m.constraints:
        kind = "ExactlyOneOf" if c["kind"] == "exactly_one_of" else "AtMostOneOf"
        params = ", ".join(f"Cow::Borrowed({rust_str(n)})" for n in c["params"])
        out.append(f"        Constraint {{ kind: ConstraintKind::{kind}, params: Cow::Borrowed(&[{params}]) }},\n")
    out.append("    ]),\n};\n\n")
    return "".join(out)


def gen_model(m, variant):
    out = [f"/// `{m.id}`.\npub mod {m.module} {{\n"]
    out.append("    use std::borrow::Cow;\n    use std::fmt;\n    use std::str::FromStr;\n\n")
    out.append("    use serde::{Serialize, Serializer};\n")
    out.append("    use videohub_core::schema::{\n")
    out.append("        Category, Constraint, ConstraintKind, ImageInputs, Items, Literal, ModelSchema, ParamError,\n")
    out.append("        ParamSchema, ParamType, Problem, Range, ValidationErrors,\n    };\n\n")
    body = []
    for p in m.params:
        if p.enum:
            body.append(gen_enum(p))
    if any(p.shot for p in m.params):
        body.append(gen_shot(m))
    body.append(gen_struct(m, variant))
    if variant == "hand":
        body.append(gen_setters(m))
    body.append(gen_validate(m))
    body.append(gen_schema(m))
    out.append("".join(body))
    out.append("}\n\n")
    return "".join(out)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("hand", "bon"):
        sys.exit(__doc__)
    variant, models_json, out_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    models = [Model(m) for m in json.loads(models_json.read_text())["models"]]
    src = out_dir / "src"
    src.mkdir(parents=True, exist_ok=True)
    header = (
        f"//! The hub's {len(models)} models without `#[video_model]` ({variant}), generated by\n"
        "//! benches/compile-time/gen.py for the compile-time comparison.\n\n"
        "#![allow(unused_imports, dead_code, clippy::all)]\n\n"
    )
    (src / "lib.rs").write_text(header + "".join(gen_model(m, variant) for m in models))
    print(f"{variant}: {len(models)} models -> {src / 'lib.rs'}")


if __name__ == "__main__":
    main()
