//! `Serialize` and `Deserialize` by the hub's names, e.g. `"text-to-video"`.

use serde::de::{Deserialize, Deserializer, Error};
use serde::ser::{Serialize, Serializer};

use crate::{Capability, Category, Media};

macro_rules! by_name {
    ($ty:ty, $parse:expr $(,)?) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = String::deserialize(deserializer)?;
                let parse: fn(&str) -> Result<$ty, String> = $parse;
                parse(&name).map_err(D::Error::custom)
            }
        }
    };
}

by_name!(Category, |name| name
    .parse()
    .map_err(|e: crate::UnknownCategory| e.to_string()));
by_name!(Capability, |name| Capability::from_name(name)
    .ok_or_else(|| format!("unknown capability `{name}`")));
by_name!(Media, |name| Media::from_name(name)
    .ok_or_else(|| format!("unknown media kind `{name}`")));
