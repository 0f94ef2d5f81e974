//! The `#[video_model]` attribute of videohub. Use it through the `videohub` crate, which
//! documents it with examples: `videohub::video_model`.
//!
//! Laid out as parse (`attr`: what the author wrote) → validate (`model`: every rule, errors
//! accumulated with spans) → generate (`expand`: one module per generated piece).

mod attr;
mod expand;
mod model;
mod naming;

use proc_macro::TokenStream;
use quote::quote;

/// Turns a struct of parameters into a typed hub model. See `videohub::video_model`.
#[proc_macro_attribute]
pub fn video_model(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse::<syn::ItemStruct>(item) {
        Ok(item) => item,
        Err(error) => return error.to_compile_error().into(),
    };
    match model::Model::from_input(args.into(), item) {
        Ok(model) => expand::expand(&model),
        Err(failure) => expand::fallback(failure, &quote!(::videohub)),
    }
    .into()
}
