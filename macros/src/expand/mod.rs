//! Code generation from a validated [`Model`]: one module per generated piece.

mod builder;
mod request;
mod schema;
mod serialize;
mod value_enum;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Failure, Model};

/// Everything `#[video_model]` emits for a valid model.
pub(crate) fn expand(model: &Model) -> TokenStream {
    let item = &model.item;
    let serialize = serialize::expand(model);
    let enums = model.fields.iter().filter_map(|f| {
        f.value_enum()
            .map(|e| value_enum::expand(e, &model.krate, &model.item.vis))
    });
    let builder = builder::expand(model);
    let request = request::expand(model);
    quote! {
        #item
        #serialize
        #(#enums)*
        #builder
        #request
    }
}

/// What is emitted for an invalid model: the errors, and the struct with the enums that were
/// well formed, so the rest of the crate still type-checks and IDEs keep working.
pub(crate) fn fallback(failure: Failure) -> TokenStream {
    let errors = failure.error.write_errors();
    let item = &failure.item;
    let enums = failure
        .enums
        .iter()
        .map(|e| value_enum::expand(e, &failure.krate, &item.vis));
    quote! {
        #errors
        #item
        #(#enums)*
    }
}
