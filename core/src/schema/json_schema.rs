//! A [`ModelSchema`] as a JSON Schema of the model's `input`, the reverse (lenient)
//! conversion, and an example `input` that passes validation.
//!
//! The JSON Schema is what the hub's `GET /hub/v1/models/{model}` serves as `input_schema`.
//! Standard keywords carry the parameters (`type`, `description`, `default`, `enum`,
//! `minimum`, `maximum`, `maxLength`, `items`, `required`), and the rules between
//! parameters (`oneOf` of `required` for exactly one of, `not` + `anyOf` of pairs for at
//! most one of, under `allOf`). A few `x-` keywords keep what JSON Schema cannot say, so
//! that the conversion round-trips:
//!
//! | keyword | where | meaning |
//! |---|---|---|
//! | `x-order` | object schemas | the parameters in declaration order (JSON objects are unordered) |
//! | `x-vendor`, `x-category` | top level | the model's vendor and category (`title` is its name) |
//! | `x-image-input` | a property | `true` on the image list (`image_urls`), which is not a parameter |
//! | `x-roles` | the image list | what each image position means |
//!
//! Reading a JSON Schema back never fails: what is missing gets a neutral value, unknown
//! keywords are ignored, and a schema without the `x-` keywords (as a live hub may send) is
//! read with its properties in map order and `image_urls` taken as the image list.

use serde_json::{Map, Value, json};

use super::{
    Constraint, ConstraintKind, ImageInputs, Literal, ModelSchema, ParamSchema, ParamType,
};

/// The JSON Schema dialect the conversion writes.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema of a model's `input` ([`ModelSchema::to_json_schema`]).
pub(super) fn to_json_schema(model: &ModelSchema) -> Value {
    let mut root = Map::new();
    root.insert("$schema".into(), DIALECT.into());
    root.insert("title".into(), model.name.as_ref().into());
    if !model.description.is_empty() {
        root.insert("description".into(), model.description.as_ref().into());
    }
    root.insert("x-vendor".into(), model.vendor.as_ref().into());
    root.insert("x-category".into(), model.category.as_str().into());
    object_schema(&model.params, model.image_inputs.as_ref(), &mut root);
    let rules: Vec<Value> = model.constraints.iter().map(constraint_schema).collect();
    if !rules.is_empty() {
        root.insert("allOf".into(), Value::Array(rules));
    }
    Value::Object(root)
}

/// An `input` that passes validation ([`ModelSchema::example_input`]).
pub(super) fn example_input(model: &ModelSchema) -> Map<String, Value> {
    let mut input = Map::new();
    for param in model.params.iter().filter(|p| p.required) {
        input.insert(param.name.to_string(), example_value(param));
    }
    for constraint in model.constraints.iter() {
        let given = constraint
            .params
            .iter()
            .any(|p| input.get(p.as_ref()).is_some_and(|v| !v.is_null()));
        if constraint.kind == ConstraintKind::ExactlyOneOf
            && !given
            && let Some(param) = constraint.params.first().and_then(|p| model.param(p))
        {
            input.insert(param.name.to_string(), example_value(param));
        }
    }
    if let Some(images) = &model.image_inputs {
        let urls = (1..=images.min.max(1).min(images.max))
            .map(|i| Value::String(format!("https://example.com/images/frame-{i}.png")))
            .collect();
        input.insert(images.param.to_string(), Value::Array(urls));
    }
    input
}

/// Fills `target` with `type`, `properties`, `required` and `x-order` for these parameters.
fn object_schema(
    params: &[ParamSchema],
    images: Option<&ImageInputs>,
    target: &mut Map<String, Value>,
) {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut order = Vec::new();
    for param in params {
        properties.insert(param.name.to_string(), param_schema(param));
        order.push(Value::from(param.name.as_ref()));
        if param.required {
            required.push(Value::from(param.name.as_ref()));
        }
    }
    if let Some(images) = images {
        properties.insert(images.param.to_string(), image_schema(images));
        order.push(Value::from(images.param.as_ref()));
        if images.min > 0 {
            required.push(Value::from(images.param.as_ref()));
        }
    }
    target.insert("type".into(), "object".into());
    target.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        target.insert("required".into(), Value::Array(required));
    }
    target.insert("additionalProperties".into(), false.into());
    target.insert("x-order".into(), Value::Array(order));
}

fn param_schema(param: &ParamSchema) -> Value {
    let mut property = Map::new();
    if param.more.variants.is_empty() {
        property.insert("type".into(), param.ty.as_str().into());
    } else {
        let shapes = param.more.variants.iter().map(param_schema).collect();
        property.insert("anyOf".into(), Value::Array(shapes));
    }
    if param.more.nullable {
        property.insert("nullable".into(), true.into());
    }
    if !param.description.is_empty() {
        property.insert("description".into(), param.description.as_ref().into());
    }
    if let Some(default) = &param.default {
        property.insert("default".into(), default.to_json());
    }
    if let Some(values) = &param.values
        && param.more.variants.is_empty()
    {
        property.insert("enum".into(), values.iter().map(Literal::to_json).collect());
    }
    if let Some(range) = param
        .range
        .as_ref()
        .filter(|_| param.more.variants.is_empty())
    {
        let (low, high) = match (range.exclusive_min, range.exclusive_max) {
            (true, true) => ("exclusiveMinimum", "exclusiveMaximum"),
            (true, false) => ("exclusiveMinimum", "maximum"),
            (false, true) => ("minimum", "exclusiveMaximum"),
            (false, false) => ("minimum", "maximum"),
        };
        if let Some(min) = &range.min {
            property.insert(low.into(), min.to_json());
        }
        if let Some(max) = &range.max {
            property.insert(high.into(), max.to_json());
        }
    }
    if let Some(max) = param.max_length {
        property.insert("maxLength".into(), max.into());
    }
    let more = &param.more;
    let facets = [
        ("minLength", more.min_length.map(Value::from)),
        ("pattern", more.pattern.as_deref().map(Value::from)),
        ("format", more.format.as_deref().map(Value::from)),
        (
            "contentMediaType",
            more.content_media_type.as_deref().map(Value::from),
        ),
        ("minItems", more.min_items.map(Value::from)),
        ("maxItems", more.max_items.map(Value::from)),
    ];
    for (key, value) in facets {
        if let Some(value) = value {
            property.insert(key.into(), value);
        }
    }
    if let Some(items) = &param.items {
        let mut item = Map::new();
        if items.ty == ParamType::Object {
            object_schema(&items.fields, None, &mut item);
        } else {
            item.insert("type".into(), items.ty.as_str().into());
        }
        property.insert("items".into(), Value::Object(item));
    }
    Value::Object(property)
}

fn image_schema(images: &ImageInputs) -> Value {
    let roles: Vec<&str> = images.roles.iter().map(AsRef::as_ref).collect();
    let mut property = Map::new();
    property.insert("type".into(), "array".into());
    property.insert("items".into(), json!({"type": "string", "format": "uri"}));
    property.insert("minItems".into(), images.min.into());
    property.insert("maxItems".into(), images.max.into());
    if !roles.is_empty() {
        property.insert(
            "description".into(),
            format!("Image URLs: {}.", roles.join("; ")).into(),
        );
    }
    property.insert("x-image-input".into(), true.into());
    property.insert("x-roles".into(), roles.into());
    Value::Object(property)
}

fn constraint_schema(constraint: &Constraint) -> Value {
    match constraint.kind {
        ConstraintKind::ExactlyOneOf => {
            let alternatives: Vec<Value> = constraint
                .params
                .iter()
                .map(|p| json!({"required": [p.as_ref()]}))
                .collect();
            json!({ "oneOf": alternatives })
        }
        ConstraintKind::AtMostOneOf => {
            let mut pairs = Vec::new();
            for (i, a) in constraint.params.iter().enumerate() {
                for b in &constraint.params[i + 1..] {
                    pairs.push(json!({"required": [a.as_ref(), b.as_ref()]}));
                }
            }
            json!({ "not": { "anyOf": pairs } })
        }
    }
}

fn example_value(param: &ParamSchema) -> Value {
    if let Some(default) = &param.default {
        return default.to_json();
    }
    if let Some(first) = param.values.as_ref().and_then(|v| v.first()) {
        return first.to_json();
    }
    if let Some(min) = param.range.as_ref().and_then(|r| r.min.as_ref()) {
        let exclusive = param.range.as_ref().is_some_and(|r| r.exclusive_min);
        return match (min, exclusive) {
            (Literal::Int(n), true) => Value::from(n + 1),
            (min, true) => Value::from(min.as_f64().unwrap_or_default() + 1.0),
            (min, false) => min.to_json(),
        };
    }
    if let Some(max) = param.range.as_ref().and_then(|r| r.max.as_ref()) {
        return match (max, param.range.as_ref().is_some_and(|r| r.exclusive_max)) {
            (Literal::Int(n), true) => Value::from(n - 1),
            (max, true) => Value::from(max.as_f64().unwrap_or_default() - 1.0),
            (max, false) => max.to_json(),
        };
    }
    match param.ty {
        ParamType::String if param.is_image() || param.more.format.as_deref() == Some("uri") => {
            "https://example.com/images/frame-1.png".into()
        }
        ParamType::String => {
            let text = if param.name.contains("prompt") {
                "A red fox trotting through fresh snow at dawn, cinematic"
            } else {
                "example"
            };
            let max = param.max_length.map_or(usize::MAX, |m| m as usize);
            Value::String(text.chars().take(max).collect())
        }
        ParamType::Integer => 1.into(),
        ParamType::Number => 1.0.into(),
        ParamType::Boolean => true.into(),
        ParamType::Object => Value::Object(Map::new()),
        ParamType::Array => match &param.items {
            Some(items) if items.ty == ParamType::Object => {
                let fields = items
                    .fields
                    .iter()
                    .map(|f| (f.name.to_string(), example_value(f)))
                    .collect();
                Value::Array(vec![Value::Object(fields)])
            }
            Some(items) => Value::Array(vec![example_value(&ParamSchema::new("", items.ty))]),
            None => Value::Array(Vec::new()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::Category;
    use super::super::read::read_constraint;
    use super::*;
    use std::borrow::Cow;

    /// Every model of the hub's model list in the test fixture.
    fn fixture_models() -> Vec<ModelSchema> {
        let text = include_str!("../../../tests/fixtures/models.json");
        let list: Value = serde_json::from_str(text).expect("fixture is JSON");
        list["models"]
            .as_array()
            .expect("a models list")
            .iter()
            .map(|m| {
                serde_json::from_value(m.clone()).expect("fixture entry reads as a ModelSchema")
            })
            .collect()
    }

    #[test]
    fn every_fixture_model_round_trips() {
        let models = fixture_models();
        assert_eq!(models.len(), 20);
        for model in &models {
            let json = model.to_json_schema();
            let back = ModelSchema::from_json_schema(&model.id, &json);
            assert_eq!(&back, model, "round trip of {}", model.id);
            // And through text, as it travels.
            let text = serde_json::to_string(&json).expect("serializes");
            let reparsed: Value = serde_json::from_str(&text).expect("parses");
            assert_eq!(&ModelSchema::from_json_schema(&model.id, &reparsed), model);
        }
    }

    #[test]
    fn every_fixture_example_is_valid() {
        for model in fixture_models() {
            let example = model.example_input();
            if let Err(errors) = model.validate_input(&example) {
                panic!("example of {} is invalid: {errors}", model.id);
            }
        }
    }

    #[test]
    fn constraints_are_standard_json_schema() {
        let kling = fixture_models()
            .into_iter()
            .find(|m| m.id == "kling-v3-pro")
            .expect("kling");
        let json = kling.to_json_schema();
        assert_eq!(
            json["allOf"][0],
            json!({"oneOf": [{"required": ["prompt"]}, {"required": ["multi_prompt"]}]})
        );
        assert_eq!(json["properties"]["cfg_scale"]["minimum"], json!(0.0));
        assert_eq!(
            json["properties"]["multi_prompt"]["items"]["type"],
            "object"
        );

        let at_most = Constraint {
            kind: ConstraintKind::AtMostOneOf,
            params: Cow::Owned(vec!["a".into(), "b".into(), "c".into()]),
        };
        let rule = constraint_schema(&at_most);
        assert_eq!(rule["not"]["anyOf"].as_array().map(Vec::len), Some(3));
        assert_eq!(read_constraint(&rule), Some(at_most));
    }

    #[test]
    fn a_plain_schema_is_read_leniently() {
        let schema = json!({
            "type": "object",
            "properties": {
                "prompt": {"type": ["string", "null"], "maxLength": 100},
                "fps": {"enum": [24, 30]},
                "strength": {"type": "number", "minimum": 0, "maximum": 1.5},
                "image_urls": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                "weird": {"type": 7}
            },
            "required": ["prompt", "image_urls"],
            "not": {"required": ["fps", "strength"]}
        });
        let model = ModelSchema::from_json_schema("mystery", &schema);
        assert_eq!(model.name, "mystery");
        assert_eq!(model.category, Category::FirstLastFrame);
        assert_eq!(
            model.image_inputs.as_ref().map(|i| (i.min, i.max)),
            Some((2, 2))
        );
        let prompt = model.param("prompt").expect("prompt");
        assert!(prompt.required);
        assert_eq!(prompt.max_length, Some(100));
        assert_eq!(model.param("fps").map(|p| p.ty), Some(ParamType::Integer));
        assert_eq!(model.param("weird").map(|p| p.ty), Some(ParamType::String));
        assert_eq!(model.constraints[0].kind, ConstraintKind::AtMostOneOf);
        assert!(
            ModelSchema::from_json_schema("x", &json!("not an object"))
                .params
                .is_empty()
        );
    }
}
