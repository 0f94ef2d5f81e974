//! One field of a generated struct: its documentation, its `#[param(…)]` settings and its
//! Rust type.

use std::fmt::Write;

use crate::schema::{Literal, ParamSchema, ParamType};

use super::names::{field_name, type_name};

/// What a field's type cannot say of its parameter, for its documentation.
fn notes(param: &ParamSchema) -> Vec<String> {
    let more = &param.more;
    let mut notes = Vec::new();
    if let Some(range) = param
        .range
        .as_ref()
        .filter(|r| r.min.is_none() || r.max.is_none() || r.exclusive_min || r.exclusive_max)
    {
        notes.push(format!("The hub takes values {range}."));
    }
    if let Some(min) = more.min_length {
        notes.push(format!("The hub takes at least {min} character(s)."));
    }
    if let Some(pattern) = &more.pattern {
        notes.push(format!("The hub takes text matching `{pattern}`."));
    }
    if let Some(format) = &more.format {
        notes.push(format!("The hub takes a `{format}`."));
    }
    if more.min_items.is_some() || more.max_items.is_some() {
        let (min, max) = (more.min_items.unwrap_or(0), more.max_items);
        let max = max.map_or("any number of".to_owned(), |m| format!("at most {m}"));
        notes.push(format!("The hub takes at least {min} and {max} items."));
    }
    for shape in more.variants.iter().filter(|v| v.ty != param.ty) {
        notes.push(format!(
            "The hub also takes a JSON {} here (send it with the dynamic path).",
            shape.ty
        ));
    }
    if let Some(items) = param.items.as_ref().filter(|i| !i.fields.is_empty()) {
        let fields: Vec<String> = items
            .fields
            .iter()
            .map(|f| {
                format!(
                    "`{}`: {}{}",
                    f.name,
                    f.ty,
                    if f.required { " (required)" } else { "" }
                )
            })
            .collect();
        notes.push(format!(
            "Each element is a JSON object: {}.",
            fields.join(", ")
        ));
    }
    notes
}

/// The `#[param(…)]` settings and the Rust type of a parameter.
pub(super) fn param_settings(param: &ParamSchema, group: Option<String>) -> (Vec<String>, String) {
    let mut settings = Vec::new();
    let values = param.values.as_deref().filter(|v| !v.is_empty());
    let enumerated = values.filter(|v| {
        v.iter().all(|l| matches!(l, Literal::Str(_))) && param.ty == ParamType::String
            || v.iter().all(|l| matches!(l, Literal::Int(_))) && param.ty == ParamType::Integer
    });
    let mut ty = match (enumerated, param.ty) {
        (Some(values), _) => {
            settings.push(format!(
                "values({})",
                values.iter().map(literal).collect::<Vec<_>>().join(", ")
            ));
            type_name(&param.name)
        }
        (None, ParamType::String) => "String".into(),
        (None, ParamType::Integer) => "i64".into(),
        (None, ParamType::Number) => "f64".into(),
        (None, ParamType::Boolean) => "bool".into(),
        (None, ParamType::Object) => "JsonObject".into(),
        (None, ParamType::Array) => match param.items.as_ref().map(|i| i.ty) {
            Some(ParamType::String) => "Vec<String>".into(),
            Some(ParamType::Integer) => "Vec<i64>".into(),
            Some(ParamType::Number) => "Vec<f64>".into(),
            Some(ParamType::Boolean) => "Vec<bool>".into(),
            _ => "Vec<JsonObject>".into(),
        },
    };
    if let (Some(range), ParamType::Integer | ParamType::Number) = (&param.range, param.ty)
        && let (Some(min), Some(max), false, false) = (
            &range.min,
            &range.max,
            range.exclusive_min,
            range.exclusive_max,
        )
    {
        let bound = |l: &Literal| match (l, param.ty) {
            (Literal::Float(x), ParamType::Integer) => format!("{}", *x as i64),
            (l, _) => literal(l),
        };
        settings.push(format!("range(min = {}, max = {})", bound(min), bound(max)));
    }
    if let (Some(max), ParamType::String) = (param.max_length, param.ty) {
        settings.push(format!("max_length = {max}"));
    }
    let default = param.default.as_ref().filter(|d| match enumerated {
        Some(values) => values.contains(d),
        None => d.fits(param.ty) && param.ty != ParamType::Array,
    });
    match (group, param.required, default) {
        (Some(group), _, _) => {
            settings.push(group);
            ty = format!("Option<{ty}>");
        }
        (None, true, _) => settings.insert(0, "required".into()),
        (None, false, Some(default)) => {
            settings.push(format!("default = {}", literal_of(default, param.ty)))
        }
        (None, false, None) => ty = format!("Option<{ty}>"),
    }
    (settings, ty)
}

/// One field: its documentation, settings and declaration.
pub(super) fn field(out: &mut String, param: &ParamSchema, settings: &[String], ty: &str) {
    let mut settings = settings.to_vec();
    let name = field_name(&param.name);
    if name != param.name {
        settings.push(format!("rename = {:?}", param.name));
    }
    let mut description = if param.description.trim().is_empty() {
        format!("The `{}` parameter.", param.name)
    } else {
        param.description.trim().to_string()
    };
    for note in notes(param) {
        description.push_str("\n\n");
        description.push_str(&note);
    }
    doc(out, "        ", &description);
    if !settings.is_empty() {
        let _ = writeln!(out, "        #[param({})]", settings.join(", "));
    }
    let _ = writeln!(out, "        {name}: {ty},");
}

/// `text` as doc comment lines at `indent`.
pub(super) fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// A literal as Rust source.
fn literal(value: &Literal) -> String {
    match value {
        Literal::Str(s) => format!("{s:?}"),
        Literal::Float(x) if x.fract() == 0.0 => format!("{x:.1}"),
        other => other.to_string(),
    }
}

/// A default written for the field's type: integers of a number parameter as floats.
fn literal_of(value: &Literal, ty: ParamType) -> String {
    match (value, ty) {
        (Literal::Int(i), ParamType::Number) => format!("{i}.0"),
        (value, _) => literal(value),
    }
}
