//! Rules across fields: unique wire names and enum names, groups of two or more, and the
//! media inputs each category takes.

use darling::Error;

use videohub_vocab::{Category, Input, Media};

use super::{Field, Group, Kind};

/// Each category takes its own media inputs (see `Category::inputs`): for each kind of
/// media, as many single files and lists as it names, no more and no fewer.
pub(super) fn check_media(
    category: Category,
    lit: &syn::LitStr,
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
    let inputs = category.inputs();
    let wanted = |media: Media, list: bool| {
        inputs
            .iter()
            .filter(|i| i.media == media && i.list == list)
            .count()
    };
    let mut missing = false;
    for media in Media::ALL {
        for list in [false, true] {
            let declared: Vec<&Field> = fields
                .iter()
                .filter(|f| match f.kind {
                    Kind::Media(m) => m == media && !list,
                    Kind::Images { .. } => media == Media::Image && list,
                    _ => false,
                })
                .collect();
            let wanted = wanted(media, list);
            for extra in declared.iter().skip(wanted) {
                let message = format!(
                    "a model of category `{category}` takes {}: remove this input or change the category",
                    category.takes()
                );
                errors.push(Error::custom(message).with_span(&extra.ident));
            }
            missing |= declared.len() < wanted;
        }
    }
    if missing {
        let declare = inputs
            .iter()
            .map(declaration)
            .collect::<Vec<_>>()
            .join(", then ");
        let message = format!(
            "a model of category `{category}` takes {}: add {declare}",
            category.takes()
        );
        errors.push(Error::custom(message).with_span(lit));
    }
}

/// How a model declares one input, e.g. ``a field `image: Image` with `#[param(image)]` ``.
fn declaration(input: &Input) -> String {
    let ty = input.media.input_type();
    if input.list {
        format!(
            "a field `{}: Vec<{ty}>` with `#[param(images(min = …, max = …))]`",
            input.field
        )
    } else {
        format!(
            "a field `{}: {ty}` with `#[param({})]`",
            input.field,
            input.media.as_str()
        )
    }
}

pub(super) fn check_wire_names(fields: &[Field], errors: &mut darling::error::Accumulator) {
    for (i, field) in fields.iter().enumerate() {
        if let Some(first) = fields[..i].iter().find(|f| f.wire == field.wire) {
            errors.push(
                Error::custom(format!(
                    "wire name `{}` is already used by field `{}`",
                    field.wire, first.ident
                ))
                .with_span(&field.wire_span),
            );
        }
    }
}

pub(super) fn check_enum_names(fields: &[Field], errors: &mut darling::error::Accumulator) {
    for (i, field) in fields.iter().enumerate() {
        let Some(e) = field.value_enum() else {
            continue;
        };
        if let Some(first) = fields[..i]
            .iter()
            .find(|f| f.value_enum().is_some_and(|o| o.ident == e.ident))
        {
            errors.push(Error::custom(format!("enum `{}` is already generated for `{}`: give each enumerated parameter its own type name", e.ident, first.ident)).with_span(&field.inner));
        }
    }
}

pub(super) fn check_groups(
    groups: &[Group],
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
    for group in groups.iter().filter(|g| g.members.len() < 2) {
        let kind = if group.exactly_one {
            "exactly_one_of"
        } else {
            "at_most_one_of"
        };
        if let Some(field) = group.members.first().and_then(|&m| fields.get(m)) {
            let message = format!(
                "`{kind} = \"{}\"` names only `{}`: a group needs two or more parameters",
                group.name, field.wire
            );
            errors.push(Error::custom(message).with_span(&field.ident));
        }
    }
}
