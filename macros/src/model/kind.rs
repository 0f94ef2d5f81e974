//! What a field's type and settings make of it: a plain value, a list, an enum to generate,
//! or a media input.

use darling::util::SpannedValue;
use darling::{Error, Result};
use proc_macro2::Span;
use syn::{GenericArgument, Ident, Lit, PathArguments, Type};

use videohub_vocab::Media;

use super::{Kind, ValueEnum, Variant};
use crate::attr::{CountArgs, ParamArgs, Values};
use crate::naming;

/// What a media setting declares: one file, or a list of images.
enum Declared<'a> {
    One(Media),
    Images(&'a CountArgs),
}

/// The media settings of a field, in the order they are checked: each with its name, where
/// it was written, and what it declares.
fn media_flags(args: &ParamArgs) -> impl Iterator<Item = (&'static str, Span, Declared<'_>)> {
    let one = |media: Media, flag: &darling::util::Flag| {
        flag.is_present()
            .then(|| (media.as_str(), flag.span(), Declared::One(media)))
    };
    [
        one(Media::Image, &args.image),
        args.images
            .as_ref()
            .map(|i| ("images", i.span(), Declared::Images(i))),
        one(Media::Video, &args.video),
        one(Media::Audio, &args.audio),
    ]
    .into_iter()
    .flatten()
}

/// Whether the field is a media input (which is always required).
pub(super) fn declares_media(args: &ParamArgs) -> bool {
    media_flags(args).next().is_some()
}

/// The kind of an `image`, `images(…)`, `video` or `audio` field, after checking its type
/// and settings; `None` for other fields.
pub(super) fn media_kind(args: &ParamArgs, ty: &Type, wire: &str) -> Result<Option<Kind>> {
    let mut set = media_flags(args);
    let Some((flag, span, declared)) = set.next() else {
        return Ok(None);
    };
    if let Some((second, span, _)) = set.next() {
        return Err(
            Error::custom(format!("`{flag}` and `{second}` cannot be combined")).with_span(&span),
        );
    }
    if let Some(values) = &args.values {
        return Err(
            Error::custom(format!("`values` cannot be used on {flag} inputs"))
                .with_span(&values.span()),
        );
    }
    let (kind, expected) = match declared {
        Declared::One(media) => (Kind::Media(media), media.input_type().to_owned()),
        Declared::Images(count) => {
            let (min, max) = (count.min, count.max);
            let problem = if min > max {
                Some(format!("its minimum {min} is above its maximum {max}"))
            } else if min == 0 {
                Some("it needs at least one image: use `min = 1` or more".to_owned())
            } else if max - min > 32 {
                Some("its maximum can be at most 32 above its minimum".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(Error::custom(format!(
                    "`images(min = {min}, max = {max})` of `{wire}`: {problem}"
                ))
                .with_span(&span));
            }
            (
                Kind::Images { min, max },
                format!("Vec<{}>", Media::Image.input_type()),
            )
        }
    };
    let fits = match &kind {
        Kind::Images { .. } => {
            generic_inner(ty, "Vec").is_some_and(|e| names_type(e, Media::Image.input_type()))
        }
        _ => names_type(ty, &expected),
    };
    if fits {
        Ok(Some(kind))
    } else {
        Err(Error::custom(format!(
            "`#[param({flag})]` needs the type `{expected}`: `{wire}: {expected}`"
        ))
        .with_span(ty))
    }
}

/// The single identifier a type is written as (`String`, `Resolution`), if it is one.
pub(super) fn type_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p)
            if p.qself.is_none()
                && p.path.segments.len() == 1
                && p.path.segments[0].arguments.is_none() =>
        {
            Some(&p.path.segments[0].ident)
        }
        _ => None,
    }
}

/// Whether `ty` is a path to the type `name`, however it is reached: `Image`,
/// `videohub::Image`, `::videohub::media::Image`. Media types are named by the generated code
/// through the crate path, so the author's path only has to name the same type.
pub(super) fn names_type(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .iter()
            .all(|s| s.arguments.is_none())
            .then(|| p.path.segments.last())
            .flatten()
            .is_some_and(|last| last.ident == name),
        Type::Group(g) => names_type(&g.elem, name),
        Type::Paren(p) => names_type(&p.elem, name),
        _ => false,
    }
}

/// `T` of a type written `Wrapper<T>`.
pub(super) fn generic_inner<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn option_inner(ty: &Type) -> Option<&Type> {
    generic_inner(ty, "Option")
}

const INTEGERS: [&str; 12] = [
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
];

pub(super) fn plain_kind(ty: &Type) -> Result<Kind> {
    if let Some(elem) = generic_inner(ty, "Vec") {
        let elem_kind = match type_ident(elem) {
            Some(_) => plain_kind(elem).ok().map(Box::new),
            None => None,
        };
        return Ok(Kind::List {
            elem: elem.clone(),
            elem_kind,
        });
    }
    let name = type_ident(ty).map(Ident::to_string);
    match name.as_deref() {
        Some("String") => Ok(Kind::String),
        Some("JsonObject") => Ok(Kind::Object),
        Some("bool") => Ok(Kind::Boolean),
        Some("f32" | "f64") => Ok(Kind::Number),
        Some(int) if INTEGERS.contains(&int) => Ok(Kind::Integer),
        _ => Err(Error::custom(
            "unsupported parameter type: use `String`, `bool`, an integer, `f64`, `Vec<_>`, `JsonObject`, or add `values(...)` to generate an enum of this name",
        )
        .with_span(ty)),
    }
}

pub(super) fn enum_kind(ty: &Type, values: &SpannedValue<Values>, wire: &str) -> Result<Kind> {
    let Some(ident) = type_ident(ty) else {
        return Err(Error::custom("with `values`, the type is the name of the enum to generate, e.g. `resolution: Resolution`").with_span(ty));
    };
    match ident.to_string().as_str() {
        "bool" => return Err(Error::custom(format!(
            "`values` cannot be used on a boolean parameter: `{wire}` is already `true` or `false`"
        ))
        .with_span(&values.span())),
        name if name == "String"
            || name.starts_with('f') && name.len() == 3
            || INTEGERS.contains(&name) =>
        {
            return Err(Error::custom(format!(
                "with `values`, the type is the name of the enum to generate, e.g. `{wire}: {}`",
                naming::type_name(wire)
            ))
            .with_span(ty));
        }
        _ => {}
    }
    if values.0.is_empty() {
        return Err(Error::custom("`values` needs at least one value").with_span(&values.span()));
    }
    let mut errors = Error::accumulator();
    let integer = matches!(values.0[0].lit, Lit::Int(_));
    let mut variants: Vec<Variant> = Vec::new();
    for value in &values.0 {
        let wire_value = match (&value.lit, integer) {
            (Lit::Str(s), false) => s.value(),
            (Lit::Int(i), true) => i.base10_digits().to_owned(),
            (Lit::Str(_) | Lit::Int(_), _) => {
                errors.push(
                    Error::custom(
                        "every value of a parameter has the same type: all strings or all integers",
                    )
                    .with_span(&value.lit),
                );
                continue;
            }
            (other, _) => {
                errors
                    .push(Error::custom("allowed values are strings or integers").with_span(other));
                continue;
            }
        };
        let name = match &value.name {
            Some(name) => name.clone(),
            None => {
                let position = variants.len() + 1;
                let name =
                    naming::variant_name(&wire_value).unwrap_or_else(|| format!("Value{position}"));
                Ident::new(&name, value.lit.span())
            }
        };
        if variants.iter().any(|v| v.wire == wire_value) {
            errors.push(
                Error::custom(format!("`{wire_value}` is listed twice")).with_span(&value.lit),
            );
        } else if variants.iter().any(|v| v.ident == name) {
            errors.push(Error::custom(format!("two values are named `{name}`")).with_span(&name));
        } else {
            variants.push(Variant {
                ident: name,
                lit: value.lit.clone(),
                wire: wire_value,
            });
        }
    }
    errors.finish_with(Kind::Enum(ValueEnum {
        ident: ident.clone(),
        param: wire.to_owned(),
        integer,
        variants,
        default: None,
    }))
}
