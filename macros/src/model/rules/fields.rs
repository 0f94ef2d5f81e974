//! Rules across fields: unique wire names and enum names, groups of two or more, and the
//! media inputs each category takes.

use darling::Error;

use videohub_vocab::{Category, Input, Media};

use super::super::{Field, Group, Kind};

/// Each category takes its own media inputs (see `Category::inputs`): for each kind of
/// media, as many single files and lists as it names, no more and no fewer. A missing input
/// is named with how to declare it; an extra one is pointed at.
pub(in crate::model) fn check_media(
    category: Category,
    lit: &syn::LitStr,
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
    let inputs = category.inputs();
    let declared = |media: Media, list: bool| -> Vec<&Field> {
        fields
            .iter()
            .filter(|f| match f.kind {
                Kind::Media(m) => m == media && !list,
                Kind::Images { .. } => media == Media::Image && list,
                _ => false,
            })
            .collect()
    };
    let takes = category.takes();
    // Declared inputs of each kind not yet matched with one the category takes.
    let mut unmatched = std::collections::HashMap::new();
    for media in Media::ALL {
        for list in [false, true] {
            let wanted = inputs
                .iter()
                .filter(|i| i.media == media && i.list == list)
                .count();
            let declared = declared(media, list);
            for extra in declared.iter().skip(wanted) {
                let message = format!(
                    "a model of category `{category}` takes {takes}: remove this input or change the category"
                );
                errors.push(Error::custom(message).with_span(&extra.ident));
            }
            unmatched.insert((media, list), declared.len());
        }
    }
    // The category's inputs, in its order (the first frame before the last), that no
    // declared field stands for.
    let missing: Vec<String> = inputs
        .iter()
        .filter(|input| {
            let left = unmatched.entry((input.media, input.list)).or_insert(0);
            let matched = *left > 0;
            *left = left.saturating_sub(1);
            !matched
        })
        .map(declaration)
        .collect();
    if !missing.is_empty() {
        let declare = missing.join(", then ");
        let message = format!("a model of category `{category}` takes {takes}: add {declare}");
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

pub(in crate::model) fn check_wire_names(
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
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

pub(in crate::model) fn check_enum_names(
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
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

pub(in crate::model) fn check_groups(
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
