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
/// Implemented in `videohub-macros`; use it through the `videohub` crate, whose re-export
/// documents every setting of the attribute and of `#[param(…)]`, with examples.
#[proc_macro_attribute]
pub fn video_model(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse::<syn::ItemStruct>(item) {
        Ok(item) => item,
        Err(error) => return error.to_compile_error().into(),
    };
    match model::Model::from_input(args.into(), item) {
        Ok(model) => expand::expand(&model),
        Err(failure) => expand::fallback(*failure),
    }
    .into()
}

#[cfg(test)]
mod snapshot {
    use quote::quote;

    /// The whole expansion of one model, pretty-printed; `UPDATE_EXPECT=1 cargo test -p
    /// videohub-macros` rewrites the snapshot after an intended change.
    #[test]
    fn expansion_of_a_model() {
        let args = quote!(
            id = "wan-2.7",
            name = "WAN 2.7",
            vendor = "Alibaba",
            category = "text-to-video"
        );
        let item = syn::parse_quote! {
            /// WAN 2.7 text-to-video.
            #[derive(Debug, Clone, PartialEq)]
            pub struct Wan27 {
                /// Random seed for reproducibility.
                #[param(range(min = 0, max = 2147483647))]
                seed: Option<i64>,
                /// Text prompt describing the desired video.
                #[param(required, max_length = 5000)]
                prompt: String,
                /// Output video duration in seconds.
                #[param(values(S2 = 2, S5 = 5), default = 5)]
                duration: Duration,
                /// Output video resolution tier.
                #[param(values("720p", "1080p"), default = "1080p")]
                resolution: Resolution,
                /// Enable intelligent prompt rewriting.
                #[param(default = true)]
                enable_prompt_expansion: bool,
                /// A prompt given as shots.
                #[param(at_most_one_of = "script", rename = "shots")]
                multi_prompt: Option<Vec<String>>,
                /// A prompt given as a script.
                #[param(at_most_one_of = "script")]
                script: Option<String>,
            }
        };
        let model =
            crate::model::Model::from_input(args, item).unwrap_or_else(|f| panic!("{}", f.error));
        let file = syn::parse2(crate::expand::expand(&model)).expect("the expansion parses");
        expect_test::expect_file!["../tests/snapshots/wan_2_7.rs"]
            .assert_eq(&prettyplease::unparse(&file));
    }
}
