//! The rules of one parameter: how its settings combine into a presence, whether its type
//! says that presence, which limits apply to its kind, and whether its default and range
//! hold a value the parameter allows.

use darling::{Error, Result};
use syn::{Lit, Type};

use super::super::lit::{lit_eq, lit_text};
use super::super::{Group, Kind, Presence};
use crate::attr::ParamArgs;

type Errors = darling::error::Accumulator;

/// The group named by `exactly_one_of` or `at_most_one_of`, and whether it is exactly-one;
/// both at once is an error.
pub(in crate::model) fn group_setting<'a>(
    args: &'a ParamArgs,
    errors: &mut Errors,
) -> Option<(&'a syn::LitStr, bool)> {
    match (&args.exactly_one_of, &args.at_most_one_of) {
        (Some(_), Some(second)) => {
            errors.push(
                Error::custom("`exactly_one_of` and `at_most_one_of` cannot be combined")
                    .with_span(second),
            );
            None
        }
        (Some(name), None) => Some((name, true)),
        (None, Some(name)) => Some((name, false)),
        (None, None) => None,
    }
}

/// Required, defaulted, optional or grouped: `required` (media inputs always are), a
/// `default` and a group exclude each other.
pub(in crate::model) fn presence(
    required: bool,
    default: Option<&Lit>,
    group: Option<(&syn::LitStr, bool)>,
    wire: &str,
    (groups, index): (&mut Vec<Group>, usize),
    errors: &mut Errors,
) -> Presence {
    match (required, default, group) {
        (true, Some(default), _) => {
            errors.push(
                Error::custom(format!(
                    "`{wire}` is `required`, so it cannot have a `default`: remove one of the two"
                ))
                .with_span(default),
            );
            Presence::Required
        }
        (true, None, Some((name, _))) | (false, Some(_), Some((name, _))) => {
            errors.push(
                Error::custom(
                    "a parameter in a group is optional: remove `required` and `default`",
                )
                .with_span(name),
            );
            Presence::Optional
        }
        (true, None, None) => Presence::Required,
        (false, Some(default), None) => Presence::Default(default.clone()),
        (false, None, None) => Presence::Optional,
        (false, None, Some((name, exactly_one))) => {
            Presence::Grouped(join_group(groups, name, exactly_one, index, errors))
        }
    }
}

/// A required or defaulted parameter holds its value; an optional one an `Option`.
pub(in crate::model) fn check_option(
    presence: &Presence,
    is_option: bool,
    wire: &str,
    ty: &Type,
    errors: &mut Errors,
) {
    match (presence, is_option) {
        (Presence::Required, true) => errors.push(
            Error::custom(format!("`{wire}` is required, so its type holds the value itself: remove the `Option`")).with_span(ty),
        ),
        (Presence::Default(_), true) => errors.push(
            Error::custom(format!("`{wire}` has a default, so its type holds the effective value: remove the `Option`")).with_span(ty),
        ),
        (Presence::Optional | Presence::Grouped(_), false) => errors.push(
            Error::custom(format!(
                "`{wire}` is optional and has no default, so its type must be `Option<_>`; or mark it `#[param(required)]`, or give it a `default`"
            ))
            .with_span(ty),
        ),
        _ => {}
    }
}

/// The default fits the kind; an enum's default is remembered as its variant.
pub(in crate::model) fn with_default(kind: Kind, presence: &Presence, errors: &mut Errors) -> Kind {
    let Presence::Default(default) = presence else {
        return kind;
    };
    errors.handle(check_default(&kind, default));
    match kind {
        Kind::Enum(mut e) => {
            e.default = e.variants.iter().position(|v| lit_eq(&v.lit, default));
            Kind::Enum(e)
        }
        kind => kind,
    }
}

/// `range` applies to numbers and `max_length` to strings; a range holds at least one value
/// and its parameter's default; a default string is no longer than `max_length`.
pub(in crate::model) fn check_limits(
    args: &ParamArgs,
    kind: Option<&Kind>,
    presence: &Presence,
    wire: &str,
    errors: &mut Errors,
) {
    if let (Some(range), Some(kind)) = (&args.range, kind)
        && !matches!(kind, Kind::Integer | Kind::Number)
    {
        errors.push(
            Error::custom("`range` applies to integer and number parameters only")
                .with_span(&range.span()),
        );
    }
    if let (Some(max), Some(kind)) = (&args.max_length, kind)
        && !matches!(kind, Kind::String)
    {
        errors.push(
            Error::custom("`max_length` applies to string parameters only").with_span(&max.span()),
        );
    }
    if let (Some(range), Some(kind @ (Kind::Integer | Kind::Number))) = (&args.range, kind) {
        let (min, max) = (&range.min, &range.max);
        let fits = [min, max].map(|bound| {
            errors
                .handle(check_literal(kind, bound, "a range bound"))
                .is_some()
        });
        if fits == [true, true] {
            errors.handle(check_range(wire, min, max));
            if let Presence::Default(default) = presence {
                errors.handle(check_default_in_range(wire, default, min, max));
            }
        }
    }
    if let (Some(max), Some(Kind::String), Presence::Default(Lit::Str(default))) =
        (args.max_length.as_deref(), kind, presence)
    {
        let length = default.value().chars().count();
        if length > *max as usize {
            errors.push(
                Error::custom(format!(
                    "the default of `{wire}` is {length} characters long, above its `max_length = {max}`: shorten the default or raise the limit"
                ))
                .with_span(default),
            );
        }
    }
}

fn join_group(
    groups: &mut Vec<Group>,
    name: &syn::LitStr,
    exactly_one: bool,
    index: usize,
    errors: &mut Errors,
) -> usize {
    let value = name.value();
    match groups.iter().position(|g| g.name == value) {
        Some(at) => {
            if groups[at].exactly_one != exactly_one {
                errors.push(
                    Error::custom(format!(
                        "group `{value}` is used with both `exactly_one_of` and `at_most_one_of`"
                    ))
                    .with_span(name),
                );
            }
            groups[at].members.push(index);
            at
        }
        None => {
            groups.push(Group {
                name: value,
                exactly_one,
                members: vec![index],
            });
            groups.len() - 1
        }
    }
}

fn check_default(kind: &Kind, default: &Lit) -> Result<()> {
    match kind {
        Kind::Enum(e) if !e.variants.iter().any(|v| lit_eq(&v.lit, default)) => {
            let allowed = e
                .variants
                .iter()
                .map(|v| v.wire.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Err(Error::custom(format!(
                "`{}` is not among the allowed values: {allowed}",
                lit_text(default)
            ))
            .with_span(default))
        }
        Kind::Enum(_) => Ok(()),
        other => check_literal(other, default, "the default"),
    }
}

/// A numeric literal as a number to compare; integers are kept exact.
#[derive(Clone, Copy)]
enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    fn of(lit: &Lit) -> Option<Number> {
        match lit {
            Lit::Int(i) => i.base10_parse().ok().map(Number::Int),
            Lit::Float(f) => f.base10_parse().ok().map(Number::Float),
            _ => None,
        }
    }

    /// `self < other`, comparing an integer with a float as floats.
    fn below(self, other: Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a < b,
            (a, b) => a.as_f64() < b.as_f64(),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// A range whose minimum is above its maximum allows no value at all.
fn check_range(wire: &str, min: &Lit, max: &Lit) -> Result<()> {
    match (Number::of(min), Number::of(max)) {
        (Some(lo), Some(hi)) if hi.below(lo) => Err(Error::custom(format!(
            "the range of `{wire}` is empty: its minimum {} is above its maximum {}",
            lit_text(min),
            lit_text(max)
        ))
        .with_span(min)),
        _ => Ok(()),
    }
}

/// A default the parameter's own range rejects could never be sent.
fn check_default_in_range(wire: &str, default: &Lit, min: &Lit, max: &Lit) -> Result<()> {
    let (Some(value), Some(lo), Some(hi)) = (Number::of(default), Number::of(min), Number::of(max))
    else {
        return Ok(());
    };
    if value.below(lo) || hi.below(value) {
        return Err(Error::custom(format!(
            "the default {} of `{wire}` is outside its range {} to {}: change the default or the range",
            lit_text(default),
            lit_text(min),
            lit_text(max)
        ))
        .with_span(default));
    }
    Ok(())
}

pub(in crate::model) fn check_literal(kind: &Kind, lit: &Lit, what: &str) -> Result<()> {
    let expected = match kind {
        Kind::String => (!matches!(lit, Lit::Str(_))).then_some("a string"),
        Kind::Integer => (!matches!(lit, Lit::Int(_))).then_some("an integer"),
        Kind::Number => (!matches!(lit, Lit::Int(_) | Lit::Float(_))).then_some("a number"),
        Kind::Boolean => (!matches!(lit, Lit::Bool(_))).then_some("`true` or `false`"),
        Kind::Enum(_) => None,
        Kind::List { .. } | Kind::Object | Kind::Media(_) | Kind::Images { .. } => {
            let message = "lists, objects and media inputs have no default: remove it";
            return Err(Error::custom(message).with_span(lit));
        }
    };
    match expected {
        None => Ok(()),
        Some(expected) => Err(Error::custom(format!(
            "{what} `{}` does not fit: expected {expected}",
            lit_text(lit)
        ))
        .with_span(lit)),
    }
}
