//! Rules across fields: unique wire names and enum names, groups of two or more, and the
//! inputs each category takes.

use darling::Error;

use super::{Field, Group, Kind};

/// Each category takes its own inputs: image-to-video one image, first-last-frame two (first,
/// then last), reference-to-video one list, video-edit a video, text-to-video none.
pub(super) fn check_media(
    category: &syn::LitStr,
    fields: &[Field],
    errors: &mut darling::error::Accumulator,
) {
    let of = |pred: fn(&Kind) -> bool| {
        fields
            .iter()
            .filter(move |f| pred(&f.kind))
            .collect::<Vec<_>>()
    };
    let singles = of(|k| matches!(k, Kind::Image));
    let lists = of(|k| matches!(k, Kind::Images { .. }));
    let videos = of(|k| matches!(k, Kind::Video));
    let name = category.value();
    // What the category takes, and how to declare it.
    let (wanted_singles, wanted_lists, takes, declare) = match name.as_str() {
        "image-to-video" => (
            1,
            0,
            "one image",
            "add a field `image: Image` with `#[param(image)]`",
        ),
        "first-last-frame" => (
            2,
            0,
            "two images, the first frame then the last frame",
            "add two `Image` fields with `#[param(image)]`, in that order",
        ),
        "reference-to-video" => (
            0,
            1,
            "one list of images",
            "add a field `images: Vec<Image>` with `#[param(images(min = …, max = …))]`",
        ),
        "video-edit" => (
            0,
            0,
            "a video",
            "add a field `video: VideoInput` with `#[param(video)]`",
        ),
        _ => (0, 0, "no images or videos", ""),
    };
    let extras = singles
        .iter()
        .skip(wanted_singles)
        .chain(lists.iter().skip(wanted_lists));
    let extras = extras.chain(videos.iter().filter(|_| name != "video-edit"));
    for extra in extras {
        let message = format!(
            "a model of category `{name}` takes {takes}: remove this input or change the category"
        );
        errors.push(Error::custom(message).with_span(&extra.ident));
    }
    let missing = singles.len() < wanted_singles
        || lists.len() < wanted_lists
        || name == "video-edit" && videos.is_empty();
    if missing {
        let message = format!("a model of category `{name}` takes {takes}: {declare}");
        errors.push(Error::custom(message).with_span(category));
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
