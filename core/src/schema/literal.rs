use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ParamType, Text};

/// A constant JSON scalar: a default, an allowed value or a range bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` or `false`.
    Bool(bool),
    /// An integer, e.g. WAN's duration `5`.
    Int(i64),
    /// A number with a fraction, e.g. Kling's `cfg_scale` `0.5`.
    Float(f64),
    /// A string, e.g. Veo's duration `"8s"`.
    Str(Text),
}

impl Literal {
    /// A string literal from a `&'static str`, usable in constants.
    pub const fn str(s: &'static str) -> Self {
        Literal::Str(Text::Borrowed(s))
    }

    /// The literal as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Literal::Bool(b) => (*b).into(),
            Literal::Int(i) => (*i).into(),
            Literal::Float(x) => (*x).into(),
            Literal::Str(s) => s.as_ref().into(),
        }
    }

    /// The numeric value, for integers and numbers.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Literal::Int(i) => Some(*i as f64),
            Literal::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// Whether `value` is this literal, comparing numbers by value (`5` equals `5.0`).
    pub fn matches(&self, value: &serde_json::Value) -> bool {
        match (self, value) {
            (Literal::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Literal::Str(a), serde_json::Value::String(b)) => a == b,
            (Literal::Int(_) | Literal::Float(_), serde_json::Value::Number(n)) => {
                self.as_f64() == n.as_f64()
            }
            _ => false,
        }
    }

    /// Whether the literal is a value of the given parameter type.
    pub fn fits(&self, ty: ParamType) -> bool {
        matches!(
            (self, ty),
            (Literal::Bool(_), ParamType::Boolean)
                | (Literal::Int(_), ParamType::Integer | ParamType::Number)
                | (Literal::Float(_), ParamType::Number)
                | (Literal::Str(_), ParamType::String)
        )
    }
}

/// Strings are shown bare (`16:9`), as users type them on a command line.
impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => b.fmt(f),
            Literal::Int(i) => i.fmt(f),
            Literal::Float(x) => x.fmt(f),
            Literal::Str(s) => f.write_str(s),
        }
    }
}

/// Joins literals for messages: `720p, 1080p, 4k`.
pub(crate) fn join(values: &[Literal]) -> String {
    values
        .iter()
        .map(Literal::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
