//! Differences between two schemas of one model: the one compiled into videohub and the one
//! the live hub serves.

use std::fmt;

use serde::Serialize;

use super::literal::join;
use super::{Literal, ModelSchema, ParamSchema};

/// One way the live hub's schema of a model differs from the compiled one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Difference {
    /// The hub has a parameter videohub does not know.
    Added {
        /// The parameter.
        param: String,
    },
    /// The hub no longer lists a parameter videohub sends.
    Removed {
        /// The parameter.
        param: String,
    },
    /// A parameter's JSON type changed.
    Type {
        /// The parameter.
        param: String,
        /// The compiled type.
        compiled: String,
        /// The hub's type.
        live: String,
    },
    /// A parameter became required or optional.
    Required {
        /// The parameter.
        param: String,
        /// Whether the compiled model requires it.
        compiled: bool,
        /// Whether the hub requires it.
        live: bool,
    },
    /// A parameter's default changed.
    Default {
        /// The parameter.
        param: String,
        /// The compiled default.
        compiled: Option<Literal>,
        /// The hub's default.
        live: Option<Literal>,
    },
    /// A parameter's allowed values changed.
    Values {
        /// The parameter.
        param: String,
        /// Values the hub allows that videohub does not.
        added: Vec<Literal>,
        /// Values videohub allows that the hub no longer does.
        removed: Vec<Literal>,
    },
    /// A numeric range or a maximum length changed.
    Limit {
        /// The parameter.
        param: String,
        /// The compiled limit, as text.
        compiled: String,
        /// The hub's limit, as text.
        live: String,
    },
    /// The number of images the model takes changed.
    Images {
        /// The compiled rule, as text.
        compiled: String,
        /// The hub's rule, as text.
        live: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<Literal>| {
            v.as_ref()
                .map_or_else(|| "none".to_owned(), Literal::to_string)
        };
        match self {
            Difference::Added { param } => write!(f, "`{param}`: added on the hub"),
            Difference::Removed { param } => write!(f, "`{param}`: removed from the hub"),
            Difference::Type {
                param,
                compiled,
                live,
            } => write!(f, "`{param}`: type {compiled} → {live}"),
            Difference::Required {
                param, live: true, ..
            } => write!(f, "`{param}`: now required"),
            Difference::Required { param, .. } => write!(f, "`{param}`: now optional"),
            Difference::Default {
                param,
                compiled,
                live,
            } => {
                write!(
                    f,
                    "`{param}`: default {} → {}",
                    shown(compiled),
                    shown(live)
                )
            }
            Difference::Values {
                param,
                added,
                removed,
            } => {
                write!(f, "`{param}`: values")?;
                if !added.is_empty() {
                    write!(f, " added {}", join(added))?;
                }
                if !removed.is_empty() {
                    let sep = if added.is_empty() { "" } else { ";" };
                    write!(f, "{sep} removed {}", join(removed))?;
                }
                Ok(())
            }
            Difference::Limit {
                param,
                compiled,
                live,
            } => write!(f, "`{param}`: limit {compiled} → {live}"),
            Difference::Images { compiled, live } => write!(f, "images: {compiled} → {live}"),
        }
    }
}

/// Every difference between `compiled` and `live` ([`ModelSchema::diff`]).
pub(super) fn diff(compiled: &ModelSchema, live: &ModelSchema) -> Vec<Difference> {
    let mut diffs = Vec::new();
    for ours in compiled.params.iter() {
        match live.param(&ours.name) {
            None => diffs.push(Difference::Removed {
                param: ours.name.to_string(),
            }),
            Some(theirs) => diff_param(ours, theirs, &mut diffs),
        }
    }
    for theirs in live
        .params
        .iter()
        .filter(|p| compiled.param(&p.name).is_none())
    {
        diffs.push(Difference::Added {
            param: theirs.name.to_string(),
        });
    }
    let images = |s: &ModelSchema| {
        s.image_inputs.as_ref().map_or_else(
            || "none".to_owned(),
            |i| format!("{} {}..={}", i.param, i.min, i.max),
        )
    };
    if images(compiled) != images(live) {
        diffs.push(Difference::Images {
            compiled: images(compiled),
            live: images(live),
        });
    }
    diffs
}

fn diff_param(ours: &ParamSchema, theirs: &ParamSchema, diffs: &mut Vec<Difference>) {
    let param = ours.name.to_string();
    if ours.ty != theirs.ty {
        let (compiled, live) = (ours.ty.to_string(), theirs.ty.to_string());
        diffs.push(Difference::Type {
            param: param.clone(),
            compiled,
            live,
        });
    }
    if ours.required != theirs.required {
        diffs.push(Difference::Required {
            param: param.clone(),
            compiled: ours.required,
            live: theirs.required,
        });
    }
    if !same_literal(&ours.default, &theirs.default) {
        let (compiled, live) = (ours.default.clone(), theirs.default.clone());
        diffs.push(Difference::Default {
            param: param.clone(),
            compiled,
            live,
        });
    }
    let (our_values, their_values) = (
        ours.values.as_deref().unwrap_or(&[]),
        theirs.values.as_deref().unwrap_or(&[]),
    );
    let missing_from = |list: &[Literal], value: &Literal| {
        !list
            .iter()
            .any(|v| same_literal(&Some(v.clone()), &Some(value.clone())))
    };
    let added: Vec<Literal> = their_values
        .iter()
        .filter(|v| missing_from(our_values, v))
        .cloned()
        .collect();
    let removed: Vec<Literal> = our_values
        .iter()
        .filter(|v| missing_from(their_values, v))
        .cloned()
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        diffs.push(Difference::Values {
            param: param.clone(),
            added,
            removed,
        });
    }
    let limit = |p: &ParamSchema| {
        let range = p.range.as_ref().map(|r| r.to_string());
        let length = p.max_length.map(|m| format!("at most {m} characters"));
        let min_length = p
            .more
            .min_length
            .map(|m| format!("at least {m} characters"));
        [range, min_length, length]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if limit(ours) != limit(theirs) {
        let shown = |s: String| if s.is_empty() { "none".to_owned() } else { s };
        diffs.push(Difference::Limit {
            param,
            compiled: shown(limit(ours)),
            live: shown(limit(theirs)),
        });
    }
}

/// Literals equal, numbers by value (`5` equals `5.0`).
fn same_literal(a: &Option<Literal>, b: &Option<Literal>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::schema::{Category, ImageInputs, ParamType, Range};

    fn schema(params: Vec<ParamSchema>) -> ModelSchema {
        ModelSchema {
            id: "demo".into(),
            name: "Demo".into(),
            vendor: "Acme".into(),
            category: Category::ImageToVideo,
            description: "".into(),
            params: Cow::Owned(params),
            image_inputs: Some(ImageInputs {
                param: "image_urls".into(),
                min: 1,
                max: 1,
                roles: Cow::Borrowed(&[]),
            }),
            constraints: Cow::Borrowed(&[]),
        }
    }

    fn duration(values: &[&'static str], default: &'static str) -> ParamSchema {
        ParamSchema {
            values: Some(values.iter().map(|v| Literal::str(v)).collect()),
            default: Some(Literal::str(default)),
            ..ParamSchema::new("duration", ParamType::String)
        }
    }

    #[test]
    fn an_identical_schema_has_no_difference() {
        let ours = schema(vec![duration(&["4s", "8s"], "8s")]);
        assert_eq!(ours.diff(&ours.clone()), []);
    }

    #[test]
    fn every_kind_of_change_is_reported() {
        let mut seed = ParamSchema::new("seed", ParamType::Integer);
        seed.range = Some(Range::inclusive(Literal::Int(0), Literal::Int(10)));
        let prompt = ParamSchema::new("prompt", ParamType::String);
        let ours = schema(vec![
            prompt.clone(),
            duration(&["4s", "8s"], "8s"),
            seed.clone(),
            ParamSchema::new("fps", ParamType::Integer),
        ]);

        let mut live_prompt = prompt;
        live_prompt.required = true;
        let mut live_seed = seed;
        live_seed.range = Some(Range::inclusive(Literal::Int(0), Literal::Float(20.0)));
        live_seed.ty = ParamType::Number;
        let mut live = schema(vec![
            live_prompt,
            duration(&["4s", "6s"], "6s"),
            live_seed,
            ParamSchema::new("style", ParamType::String),
        ]);
        live.image_inputs.as_mut().unwrap().max = 2;

        let shown: Vec<String> = ours.diff(&live).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "`prompt`: now required",
                "`duration`: default 8s → 6s",
                "`duration`: values added 6s; removed 8s",
                "`seed`: type integer → number",
                "`seed`: limit 0..=10 → 0..=20",
                "`fps`: removed from the hub",
                "`style`: added on the hub",
                "images: image_urls 1..=1 → image_urls 1..=2",
            ]
        );
        let json = serde_json::to_value(ours.diff(&live)).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({"kind": "required", "param": "prompt", "compiled": false, "live": true})
        );
    }
}
