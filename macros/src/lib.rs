//! The `#[video_model]` attribute.
use proc_macro::TokenStream;

/// Placeholder replaced below.
#[proc_macro_attribute]
pub fn video_model(_attr: TokenStream, item: TokenStream) -> TokenStream { item }
