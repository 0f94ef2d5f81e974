//! `Serialize` for the request: the hub's `input` object, defaults stated, unset optional
//! parameters omitted, and the image fields gathered into one `image_urls` list.

use proc_macro2::TokenStream;
use quote::quote;

use videohub_vocab::{IMAGE_LIST, Media};

use crate::model::{Kind, Model, Presence};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let k = &model.krate;
    let ident = &model.item.ident;
    let serde = quote!(#k::__private::serde);
    let mut entries = Vec::new();
    let mut images = Vec::new();
    for field in &model.fields {
        let (name, wire) = (&field.ident, &field.wire);
        match (&field.kind, &field.presence) {
            (Kind::Media(Media::Image), _) if field.in_image_list() => {
                images.push(quote!(::core::slice::from_ref(&self.#name)))
            }
            (Kind::Images { .. }, _) => images.push(quote!(self.#name.as_slice())),
            (_, Presence::Required | Presence::Default(_)) => {
                entries.push(quote!(#serde::ser::SerializeMap::serialize_entry(&mut map, #wire, &self.#name)?;));
            }
            _ => entries.push(quote! {
                if let ::core::option::Option::Some(value) = &self.#name {
                    #serde::ser::SerializeMap::serialize_entry(&mut map, #wire, value)?;
                }
            }),
        }
    }
    if !images.is_empty() {
        entries.push(quote! {
            let images: &[&[#k::Image]] = &[#(#images),*];
            #serde::ser::SerializeMap::serialize_entry(&mut map, #IMAGE_LIST, &#k::__private::ImageList(images))?;
        });
    }
    quote! {
        #[automatically_derived]
        impl #serde::Serialize for #ident {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(::core::option::Option::None)?;
                #(#entries)*
                #serde::ser::SerializeMap::end(map)
            }
        }
    }
}
