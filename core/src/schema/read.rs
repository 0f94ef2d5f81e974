//! Reading a JSON Schema of a model's `input` into a [`ModelSchema`], leniently: the schema
//! is [normalized](super::normalize) first, so that `$ref`, `allOf`, `anyOf [X, null]`,
//! `nullable` and their kin all read the same.
//!
//! The parameters come in the order of `x-order` (the writer's, and Replicate's per-property
//! numbers), else `x-fal-order-properties`, else the order the schema declares them in.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::Capability;

use super::{
    Category, Constraint, ConstraintKind, ImageInputs, Items, Literal, ModelSchema, More,
    ParamSchema, ParamType, Range, Text,
};

/// The image list's name when a schema does not mark it.
const DEFAULT_IMAGE_PARAM: &str = videohub_vocab::IMAGE_LIST;

/// Reads a JSON Schema of a model's `input` ([`ModelSchema::from_json_schema`]).
pub(super) fn from_json_schema(id: &str, schema: &Value) -> ModelSchema {
    let resolved = super::normalize(schema);
    let empty = Map::new();
    let root = resolved.as_object().unwrap_or(&empty);
    let (params, image_inputs) = read_object(root, true);
    let mut constraints = Vec::new();
    if let Some(Value::Array(rules)) = root.get("allOf") {
        constraints.extend(rules.iter().filter_map(read_constraint));
    }
    constraints.extend(read_constraint(&resolved));
    let category = text(root, "x-category")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| {
            let images = image_inputs.as_ref().map(|i| (i.min, i.max));
            Category::guess(Capability::Video, images)
        });
    ModelSchema {
        id: Cow::Owned(id.to_owned()),
        name: Cow::Owned(text(root, "title").unwrap_or(id).to_owned()),
        vendor: Cow::Owned(text(root, "x-vendor").unwrap_or_default().to_owned()),
        category,
        description: Cow::Owned(text(root, "description").unwrap_or_default().to_owned()),
        params: Cow::Owned(params),
        image_inputs,
        constraints: Cow::Owned(constraints),
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// The property names of an object schema in the order it gives them.
pub(crate) fn property_order(object: &Map<String, Value>) -> Vec<&str> {
    let Some(Value::Object(properties)) = object.get("properties") else {
        return Vec::new();
    };
    let listed = |key: &str| -> Vec<&str> {
        match object.get(key) {
            Some(Value::Array(order)) => order
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| properties.contains_key(*name))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut names = listed("x-order");
    if names.is_empty() {
        names = listed("x-fal-order-properties");
    }
    if names.is_empty() {
        // Replicate numbers each property: `"x-order": 3`.
        let mut numbered: Vec<(u64, &str)> = properties
            .iter()
            .filter_map(|(name, p)| Some((p.get("x-order")?.as_u64()?, name.as_str())))
            .collect();
        numbered.sort_by_key(|(n, _)| *n);
        names = numbered.into_iter().map(|(_, name)| name).collect();
    }
    for name in properties.keys() {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    names
}

/// The parameters of an object schema; with `images`, the image list is taken apart.
fn read_object(
    object: &Map<String, Value>,
    images: bool,
) -> (Vec<ParamSchema>, Option<ImageInputs>) {
    let required: Vec<&str> = match object.get("required") {
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let Some(Value::Object(properties)) = object.get("properties") else {
        return (Vec::new(), None);
    };
    let marked = properties
        .values()
        .any(|p| p.get("x-image-input").is_some());
    let mut params = Vec::new();
    let mut image_inputs = None;
    for name in property_order(object) {
        let property = &properties[name];
        let is_images = match property.get("x-image-input") {
            Some(flag) => flag.as_bool().unwrap_or(false),
            None => {
                !marked
                    && name == DEFAULT_IMAGE_PARAM
                    && read_type(property) == Some(ParamType::Array)
            }
        };
        let is_required = required.contains(&name);
        if images && is_images && image_inputs.is_none() {
            image_inputs = Some(read_images(name, property, is_required));
        } else {
            params.push(read_param(name, property, is_required));
        }
    }
    (params, image_inputs)
}

fn count(property: &Value, key: &str) -> Option<u32> {
    property
        .get(key)
        .and_then(Value::as_u64)
        .map(|n| n.min(u32::MAX.into()) as u32)
}

/// The image list: `minItems` (at least one when the list is required), `maxItems`.
fn read_images(name: &str, property: &Value, required: bool) -> ImageInputs {
    let roles = match property.get("x-roles") {
        Some(Value::Array(roles)) => roles
            .iter()
            .filter_map(Value::as_str)
            .map(|r| Text::Owned(r.to_owned()))
            .collect(),
        _ => Vec::new(),
    };
    let min = count(property, "minItems").unwrap_or(0);
    ImageInputs {
        param: Cow::Owned(name.to_owned()),
        min: if required { min.max(1) } else { min },
        max: count(property, "maxItems").unwrap_or(u32::MAX),
        roles: Cow::Owned(roles),
    }
}

/// The type of a property: `type` (the first of a list), else none.
fn read_type(property: &Value) -> Option<ParamType> {
    let name = match property.get("type") {
        Some(Value::String(name)) => Some(name.as_str()),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .find(|n| *n != "null"),
        _ => None,
    };
    name.and_then(|n| serde_json::from_value(Value::from(n)).ok())
}

pub(crate) fn read_literal(value: &Value) -> Option<Literal> {
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        other => serde_json::from_value(other.clone()).ok(),
    }
}

/// The type of a property that names none: from its values or default, its keywords
/// (`properties` an object, `items` an array), else a string.
fn guess_type(
    property: &Value,
    values: Option<&[Literal]>,
    default: Option<&Literal>,
) -> ParamType {
    if let Some(literal) = values.and_then(<[_]>::first).or(default) {
        return literal_type(literal);
    }
    if property.get("properties").is_some() {
        ParamType::Object
    } else if property.get("items").is_some() {
        ParamType::Array
    } else {
        ParamType::String
    }
}

fn read_param(name: &str, property: &Value, required: bool) -> ParamSchema {
    let branches = ["anyOf", "oneOf"]
        .iter()
        .find_map(|k| property.get(*k).and_then(Value::as_array))
        .filter(|b| b.len() > 1);
    let mut param = match branches {
        Some(branches) => {
            let variants: Vec<ParamSchema> =
                branches.iter().map(|b| read_shape("", b, false)).collect();
            let scalar = |p: &&ParamSchema| !matches!(p.ty, ParamType::Object | ParamType::Array);
            let main = variants.iter().find(scalar).unwrap_or(&variants[0]);
            let mut param = main.clone();
            param.more.variants = Cow::Owned(variants);
            param
        }
        None => read_shape(name, property, required),
    };
    param.name = Cow::Owned(name.to_owned());
    param.required = required;
    if let Some(default) = property.get("default").and_then(read_literal) {
        param.default = Some(default);
    }
    if let Some(description) = property.get("description").and_then(Value::as_str) {
        param.description = Cow::Owned(description.to_owned());
    }
    param.more.nullable |= property.get("nullable").and_then(Value::as_bool) == Some(true);
    param
}

/// One shape of a value: its type, values, limits and elements.
fn read_shape(name: &str, property: &Value, required: bool) -> ParamSchema {
    let default = property.get("default").and_then(read_literal);
    let values: Option<Vec<Literal>> = match (property.get("enum"), property.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.iter().filter_map(read_literal).collect()),
        (_, Some(value)) => read_literal(value).map(|v| vec![v]),
        _ => None,
    };
    let ty = read_type(property)
        .unwrap_or_else(|| guess_type(property, values.as_deref(), default.as_ref()));
    let bound = |key: &str| property.get(key).and_then(read_literal);
    // Draft 4 writes exclusiveness as a flag beside minimum / maximum.
    let flag = |key: &str| property.get(key).and_then(Value::as_bool) == Some(true);
    let (min, exclusive_min) = match bound("exclusiveMinimum") {
        Some(min) => (Some(min), true),
        None => (bound("minimum"), flag("exclusiveMinimum")),
    };
    let (max, exclusive_max) = match bound("exclusiveMaximum") {
        Some(max) => (Some(max), true),
        None => (bound("maximum"), flag("exclusiveMaximum")),
    };
    let range = (min.is_some() || max.is_some()).then_some(Range {
        min,
        max,
        exclusive_min,
        exclusive_max,
    });
    let items = match property.get("items") {
        Some(item @ Value::Object(map)) => {
            let item_ty = read_type(item).unwrap_or_else(|| guess_type(item, None, None));
            let fields = if item_ty == ParamType::Object {
                read_object(map, false).0
            } else {
                Vec::new()
            };
            Some(Items {
                ty: item_ty,
                fields: Cow::Owned(fields),
            })
        }
        _ => None,
    };
    let string = |key: &str| {
        property
            .get(key)
            .and_then(Value::as_str)
            .map(|s| Text::Owned(s.to_owned()))
    };
    ParamSchema {
        name: Cow::Owned(name.to_owned()),
        ty,
        required,
        default,
        values: values.map(Cow::Owned),
        range,
        max_length: count(property, "maxLength"),
        items,
        description: string("description").unwrap_or_default(),
        more: More {
            nullable: property.get("nullable").and_then(Value::as_bool) == Some(true),
            min_length: count(property, "minLength"),
            pattern: string("pattern"),
            format: string("format"),
            content_media_type: string("contentMediaType"),
            min_items: count(property, "minItems"),
            max_items: count(property, "maxItems"),
            variants: Cow::Borrowed(&[]),
        },
    }
}

fn literal_type(literal: &Literal) -> ParamType {
    match literal {
        Literal::Bool(_) => ParamType::Boolean,
        Literal::Int(_) => ParamType::Integer,
        Literal::Float(_) => ParamType::Number,
        Literal::Str(_) => ParamType::String,
    }
}

/// The names listed by `{"required": [...]}` alternatives.
fn required_names(alternatives: &[Value]) -> Option<Vec<Text>> {
    let mut names: Vec<Text> = Vec::new();
    for alternative in alternatives {
        for name in alternative.get("required")?.as_array()? {
            let name = name.as_str()?;
            if !names.iter().any(|n| n == name) {
                names.push(Text::Owned(name.to_owned()));
            }
        }
    }
    (!names.is_empty()).then_some(names)
}

/// A rule between parameters: `oneOf` of single `required` (exactly one of), or `not` of
/// `required` pairs (at most one of).
pub(crate) fn read_constraint(rule: &Value) -> Option<Constraint> {
    if let Some(Value::Array(alternatives)) = rule.get("oneOf") {
        let single = alternatives.iter().all(|a| {
            a.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.len() == 1)
        });
        if single {
            let params = required_names(alternatives)?;
            return Some(Constraint {
                kind: ConstraintKind::ExactlyOneOf,
                params: Cow::Owned(params),
            });
        }
    }
    let negated = rule.get("not")?;
    let params = match negated.get("anyOf") {
        Some(Value::Array(pairs)) => required_names(pairs)?,
        _ => required_names(std::slice::from_ref(negated))?,
    };
    Some(Constraint {
        kind: ConstraintKind::AtMostOneOf,
        params: Cow::Owned(params),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gateway_spellings_read_as_one_view() {
        let schema = json!({
            "title": "AppInput",
            "type": "object",
            "required": ["prompt", "image_urls"],
            "x-fal-order-properties": ["prompt", "seed", "duration", "size", "image_urls"],
            "properties": {
                "size": {"anyOf": [{"$ref": "#/$defs/Size"}, {"type": "string", "enum": ["square", "wide"]}], "default": "wide"},
                "image_urls": {"type": "array", "items": {"type": "string"}},
                "duration": {"allOf": [{"$ref": "#/$defs/Duration"}], "default": 5},
                "seed": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
                "prompt": {"type": "string", "minLength": 1, "pattern": "\\S", "format": "text"}
            },
            "$defs": {
                "Duration": {"type": "integer", "enum": [5, 10]},
                "Size": {"type": "object", "properties": {"width": {"type": "integer", "exclusiveMinimum": 0}}}
            }
        });
        let model = ModelSchema::from_json_schema("m", &schema);
        let names: Vec<&str> = model.params.iter().map(|p| p.name.as_ref()).collect();
        assert_eq!(names, ["prompt", "seed", "duration", "size"]);
        let seed = model.param("seed").unwrap();
        assert_eq!((seed.ty, seed.more.nullable), (ParamType::Integer, true));
        assert_eq!(seed.range.as_ref().unwrap().to_string(), "≥ 0");
        let duration = model.param("duration").unwrap();
        assert_eq!(duration.ty, ParamType::Integer);
        assert_eq!(
            duration.values.as_deref(),
            Some(&[Literal::Int(5), Literal::Int(10)][..])
        );
        assert_eq!(duration.default, Some(Literal::Int(5)));
        let size = model.param("size").unwrap();
        assert_eq!(size.ty, ParamType::String);
        assert_eq!(size.more.variants.len(), 2);
        assert_eq!(size.more.variants[0].ty, ParamType::Object);
        let width = &size.more.variants[0].items;
        assert!(width.is_none());
        let prompt = model.param("prompt").unwrap();
        assert_eq!(prompt.more.min_length, Some(1));
        assert_eq!(prompt.more.pattern.as_deref(), Some("\\S"));
        let images = model.image_inputs.unwrap();
        assert_eq!((images.min, images.max), (1, u32::MAX));
    }

    #[test]
    fn order_is_x_order_then_numbers_then_declaration() {
        let numbered = json!({"properties": {"b": {"x-order": 1}, "a": {"x-order": 0}, "c": {}}});
        let declared = json!({"properties": {"zeta": {}, "alpha": {}}});
        let order = |v: &Value| -> Vec<String> {
            property_order(v.as_object().unwrap())
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(order(&numbered), ["a", "b", "c"]);
        assert_eq!(order(&declared), ["zeta", "alpha"]);
    }
}
