//! Literals as a model author wrote them: their text, and when two are the same value.

use quote::ToTokens;
use syn::Lit;

/// A literal as the user reads it: `4k`, `5`, `true`.
pub(crate) fn lit_text(lit: &Lit) -> String {
    match lit {
        Lit::Str(s) => s.value(),
        Lit::Int(i) => i.base10_digits().to_owned(),
        Lit::Float(f) => f.base10_digits().to_owned(),
        other => other.to_token_stream().to_string(),
    }
}

/// Whether `a` and `b` are literals of one kind with the same text.
pub(super) fn lit_eq(a: &Lit, b: &Lit) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && lit_text(a) == lit_text(b)
}
