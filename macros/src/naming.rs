//! Names derived from wire names and values.

/// The variant of a vocabulary enum (a `Category`) as a path segment of the generated
/// code: its `Debug` name, which is the variant's name, e.g. `TextToVideo`.
pub(crate) fn variant(value: impl std::fmt::Debug) -> syn::Ident {
    syn::Ident::new(&format!("{value:?}"), proc_macro2::Span::call_site())
}

/// The variant name of an allowed value: `720p` → `P720`, `4k` → `K4`, `16:9` → `Ratio16x9`,
/// `auto` → `Auto`, `5` → `V5`. `None` when no readable name follows from the value; the
/// caller then names the variant by its position.
pub(crate) fn variant_name(value: &str) -> Option<String> {
    if let Some((w, h)) = value.split_once(':')
        && is_digits(w)
        && is_digits(h)
    {
        return Some(format!("Ratio{w}x{h}"));
    }
    let first = value.chars().next()?;
    if first.is_ascii_alphabetic() {
        let words = value
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty());
        let name: String = words.map(capitalize).collect();
        return name
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
            .then_some(name);
    }
    let digits_end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (digits, suffix) = value.split_at(digits_end);
    if digits.is_empty() {
        return None;
    }
    if suffix.is_empty() {
        return Some(format!("V{digits}"));
    }
    suffix
        .chars()
        .all(|c| c.is_ascii_alphabetic())
        .then(|| format!("{}{digits}", suffix.to_ascii_uppercase()))
}

/// The type name of a parameter: `aspect_ratio` → `AspectRatio`.
pub(crate) fn type_name(wire: &str) -> String {
    wire.split('_')
        .filter(|w| !w.is_empty())
        .map(capitalize)
        .collect()
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_values() {
        let cases = [
            ("720p", Some("P720")),
            ("4k", Some("K4")),
            ("8s", Some("S8")),
            ("16:9", Some("Ratio16x9")),
            ("auto", Some("Auto")),
            ("customize", Some("Customize")),
            ("no-audio", Some("NoAudio")),
            ("5", Some("V5")),
            ("-1", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(variant_name(value).as_deref(), expected, "{value}");
        }
        assert_eq!(type_name("aspect_ratio"), "AspectRatio");
    }
}
