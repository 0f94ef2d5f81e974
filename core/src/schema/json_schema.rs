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

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use crate::Capability;

use super::{
    Category, Constraint, ConstraintKind, ImageInputs, Items, Literal, ModelSchema, ParamSchema,
    ParamType, Range, Text,
};

/// The JSON Schema dialect the conversion writes.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// The image list's name when a schema does not mark it.
const DEFAULT_IMAGE_PARAM: &str = videohub_vocab::IMAGE_LIST;

impl ModelSchema {
    /// The JSON Schema of the model's `input` object.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let mut prompt = ParamSchema::new("prompt", ParamType::String);
    /// prompt.required = true;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![prompt]), image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let json = schema.to_json_schema();
    /// assert_eq!(json["properties"]["prompt"]["type"], "string");
    /// assert_eq!(json["required"][0], "prompt");
    /// assert_eq!(ModelSchema::from_json_schema("demo", &json), schema);
    /// ```
    pub fn to_json_schema(&self) -> Value {
        let mut root = Map::new();
        root.insert("$schema".into(), DIALECT.into());
        root.insert("title".into(), self.name.as_ref().into());
        if !self.description.is_empty() {
            root.insert("description".into(), self.description.as_ref().into());
        }
        root.insert("x-vendor".into(), self.vendor.as_ref().into());
        root.insert("x-category".into(), self.category.as_str().into());
        object_schema(&self.params, self.image_inputs.as_ref(), &mut root);
        let rules: Vec<Value> = self.constraints.iter().map(constraint_schema).collect();
        if !rules.is_empty() {
            root.insert("allOf".into(), Value::Array(rules));
        }
        Value::Object(root)
    }

    /// Reads a JSON Schema of a model's `input` leniently; `id` is the model's id.
    ///
    /// The inverse of [`ModelSchema::to_json_schema`]. The name comes from `title` (the id
    /// when absent), the category from `x-category` (guessed from the image list when
    /// absent), and each property becomes a parameter. Nothing in the schema is an error:
    /// what cannot be read is left out.
    pub fn from_json_schema(id: &str, schema: &Value) -> ModelSchema {
        let empty = Map::new();
        let root = schema.as_object().unwrap_or(&empty);
        let (params, image_inputs) = read_object(root, true);
        let mut constraints = Vec::new();
        if let Some(Value::Array(rules)) = root.get("allOf") {
            constraints.extend(rules.iter().filter_map(read_constraint));
        }
        constraints.extend(read_constraint(schema));
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

    /// An `input` that passes [`ModelSchema::validate_input`]: every required parameter,
    /// the first parameter of each exactly-one-of rule, and the fewest images allowed (as
    /// example URLs). Values are the default, else the first allowed value, else the
    /// lower bound of the range, else a plain example of the type.
    ///
    /// ```
    /// # use videohub_core::schema::*;
    /// # use std::borrow::Cow;
    /// let mut prompt = ParamSchema::new("prompt", ParamType::String);
    /// prompt.required = true;
    /// let schema = ModelSchema {
    ///     id: "demo".into(), name: "Demo".into(), vendor: "Acme".into(),
    ///     category: Category::TextToVideo, description: "".into(),
    ///     params: Cow::Owned(vec![prompt]), image_inputs: None, constraints: Cow::Borrowed(&[]),
    /// };
    /// let example = schema.example_input();
    /// assert!(example["prompt"].is_string());
    /// assert!(schema.validate_input(&example).is_ok());
    /// ```
    pub fn example_input(&self) -> Map<String, Value> {
        let mut input = Map::new();
        for param in self.params.iter().filter(|p| p.required) {
            input.insert(param.name.to_string(), example_value(param));
        }
        for constraint in self.constraints.iter() {
            let given = constraint
                .params
                .iter()
                .any(|p| input.get(p.as_ref()).is_some_and(|v| !v.is_null()));
            if constraint.kind == ConstraintKind::ExactlyOneOf
                && !given
                && let Some(param) = constraint.params.first().and_then(|p| self.param(p))
            {
                input.insert(param.name.to_string(), example_value(param));
            }
        }
        if let Some(images) = &self.image_inputs {
            let urls = (1..=images.min.max(1).min(images.max))
                .map(|i| Value::String(format!("https://example.com/images/frame-{i}.png")))
                .collect();
            input.insert(images.param.to_string(), Value::Array(urls));
        }
        input
    }
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
    property.insert("type".into(), param.ty.as_str().into());
    if !param.description.is_empty() {
        property.insert("description".into(), param.description.as_ref().into());
    }
    if let Some(default) = &param.default {
        property.insert("default".into(), default.to_json());
    }
    if let Some(values) = &param.values {
        property.insert("enum".into(), values.iter().map(Literal::to_json).collect());
    }
    if let Some(range) = &param.range {
        property.insert("minimum".into(), range.min.to_json());
        property.insert("maximum".into(), range.max.to_json());
    }
    if let Some(max) = param.max_length {
        property.insert("maxLength".into(), max.into());
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

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// The parameters of an object schema, in `x-order` then map order; with `images`, the
/// image list is taken apart.
fn read_object(
    object: &Map<String, Value>,
    images: bool,
) -> (Vec<ParamSchema>, Option<ImageInputs>) {
    let empty = Map::new();
    let properties = match object.get("properties") {
        Some(Value::Object(properties)) => properties,
        _ => &empty,
    };
    let required: Vec<&str> = match object.get("required") {
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut names: Vec<&str> = match object.get("x-order") {
        Some(Value::Array(order)) => order
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| properties.contains_key(*name))
            .collect(),
        _ => Vec::new(),
    };
    for name in properties.keys() {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let marked = properties
        .values()
        .any(|p| p.get("x-image-input").is_some());
    let mut params = Vec::new();
    let mut image_inputs = None;
    for name in names {
        let property = &properties[name];
        let is_images = match property.get("x-image-input") {
            Some(flag) => flag.as_bool().unwrap_or(false),
            None => {
                !marked
                    && name == DEFAULT_IMAGE_PARAM
                    && read_type(property) == Some(ParamType::Array)
            }
        };
        if images && is_images && image_inputs.is_none() {
            image_inputs = Some(read_images(name, property));
        } else {
            params.push(read_param(name, property, required.contains(&name)));
        }
    }
    (params, image_inputs)
}

fn read_images(name: &str, property: &Value) -> ImageInputs {
    let count = |key: &str| {
        property
            .get(key)
            .and_then(Value::as_u64)
            .map(|n| n.min(u32::MAX.into()) as u32)
    };
    let roles = match property.get("x-roles") {
        Some(Value::Array(roles)) => roles
            .iter()
            .filter_map(Value::as_str)
            .map(|r| Text::Owned(r.to_owned()))
            .collect(),
        _ => Vec::new(),
    };
    ImageInputs {
        param: Cow::Owned(name.to_owned()),
        min: count("minItems").unwrap_or(0),
        max: count("maxItems").unwrap_or(u32::MAX),
        roles: Cow::Owned(roles),
    }
}

/// The type of a property: `type` (the first non-null one of a list), else guessed from
/// `enum` or `default`, else string.
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

fn read_literal(value: &Value) -> Option<Literal> {
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        other => serde_json::from_value(other.clone()).ok(),
    }
}

fn read_param(name: &str, property: &Value, required: bool) -> ParamSchema {
    let default = property.get("default").and_then(read_literal);
    let values: Option<Vec<Literal>> = match (property.get("enum"), property.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.iter().filter_map(read_literal).collect()),
        (_, Some(value)) => read_literal(value).map(|v| vec![v]),
        _ => None,
    };
    let ty = read_type(property)
        .or_else(|| {
            values
                .as_ref()
                .and_then(|v| v.first())
                .or(default.as_ref())
                .map(literal_type)
        })
        .unwrap_or(ParamType::String);
    let range = match (
        property.get("minimum").and_then(read_literal),
        property.get("maximum").and_then(read_literal),
    ) {
        (Some(min), Some(max)) => Some(Range { min, max }),
        _ => None,
    };
    let items = match property.get("items") {
        Some(item @ Value::Object(map)) => {
            let item_ty = read_type(item).unwrap_or(if map.contains_key("properties") {
                ParamType::Object
            } else {
                ParamType::String
            });
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
    ParamSchema {
        name: Cow::Owned(name.to_owned()),
        ty,
        required,
        default,
        values: values.map(Cow::Owned),
        range,
        max_length: property
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|n| n.min(u32::MAX.into()) as u32),
        items,
        description: Cow::Owned(
            property
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ),
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
fn read_constraint(rule: &Value) -> Option<Constraint> {
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

fn example_value(param: &ParamSchema) -> Value {
    if let Some(default) = &param.default {
        return default.to_json();
    }
    if let Some(first) = param.values.as_ref().and_then(|v| v.first()) {
        return first.to_json();
    }
    if let Some(range) = &param.range {
        return range.min.to_json();
    }
    match param.ty {
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
    use super::*;

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
