//! Doc comments, read as parameter and model descriptions.

use syn::{Attribute, Lit};

/// The doc comment of an item, one string with the author's line breaks.
pub(super) fn doc_text(attrs: &[Attribute]) -> String {
    let lines = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
    lines
        .map(|l| l.strip_prefix(' ').map(str::to_owned).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first paragraph of a doc comment, on one line.
pub(super) fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n")
        .next()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}
