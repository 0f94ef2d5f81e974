/// WAN 2.7 text-to-video.
#[derive(Debug, Clone, PartialEq)]
pub struct Wan27 {
    /// Random seed for reproducibility.
    seed: Option<i64>,
    /// Text prompt describing the desired video.
    prompt: String,
    /// Output video duration in seconds.
    duration: Duration,
    /// Output video resolution tier.
    resolution: Resolution,
    /// Enable intelligent prompt rewriting.
    enable_prompt_expansion: bool,
    /// A prompt given as shots.
    multi_prompt: Option<Vec<String>>,
    /// A prompt given as a script.
    script: Option<String>,
}
#[automatically_derived]
impl ::videohub::__private::serde::Serialize for Wan27 {
    fn serialize<S: ::videohub::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::core::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(::core::option::Option::None)?;
        if let ::core::option::Option::Some(value) = &self.seed {
            ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
                &mut map,
                "seed",
                value,
            )?;
        }
        ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
            &mut map,
            "prompt",
            &self.prompt,
        )?;
        ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
            &mut map,
            "duration",
            &self.duration,
        )?;
        ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
            &mut map,
            "resolution",
            &self.resolution,
        )?;
        ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
            &mut map,
            "enable_prompt_expansion",
            &self.enable_prompt_expansion,
        )?;
        if let ::core::option::Option::Some(value) = &self.multi_prompt {
            ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
                &mut map,
                "shots",
                value,
            )?;
        }
        if let ::core::option::Option::Some(value) = &self.script {
            ::videohub::__private::serde::ser::SerializeMap::serialize_entry(
                &mut map,
                "script",
                value,
            )?;
        }
        ::videohub::__private::serde::ser::SerializeMap::end(map)
    }
}
///The values `duration` allows: `2`, `5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    ///`2`
    S2,
    ///`5`
    S5,
}
impl Duration {
    /// Every allowed value, in the model's order.
    pub const ALL: &'static [Self] = &[Self::S2, Self::S5];
    /// The wire value, as text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S2 => "2",
            Self::S5 => "5",
        }
    }
    /// The wire value, as the integer sent to the hub.
    pub const fn value(self) -> i64 {
        match self {
            Self::S2 => 2,
            Self::S5 => 5,
        }
    }
}
///The hub's default: `5`.
#[automatically_derived]
impl ::core::default::Default for Duration {
    fn default() -> Self {
        Self::S5
    }
}
#[automatically_derived]
impl ::core::fmt::Display for Duration {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
#[automatically_derived]
impl ::core::str::FromStr for Duration {
    type Err = ::videohub::schema::ParamError;
    fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
        match s {
            "2" => ::core::result::Result::Ok(Self::S2),
            "5" => ::core::result::Result::Ok(Self::S5),
            _ => {
                ::core::result::Result::Err(
                    ::videohub::__private::not_allowed(
                        "duration",
                        s,
                        <Self as ::videohub::ValueEnum>::VALUES,
                    ),
                )
            }
        }
    }
}
#[automatically_derived]
impl ::videohub::__private::serde::Serialize for Duration {
    fn serialize<S: ::videohub::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::core::result::Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.value())
    }
}
#[automatically_derived]
impl ::videohub::ValueEnum for Duration {
    const PARAM: &'static str = "duration";
    const TYPE: ::videohub::schema::ParamType = ::videohub::schema::ParamType::Integer;
    const VALUES: &'static [::videohub::schema::Literal] = &[
        ::videohub::schema::Literal::Int(2),
        ::videohub::schema::Literal::Int(5),
    ];
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn to_literal(self) -> ::videohub::schema::Literal {
        <Self as ::videohub::ValueEnum>::VALUES[self as usize].clone()
    }
}
///The values `resolution` allows: `720p`, `1080p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    ///`720p`
    P720,
    ///`1080p`
    P1080,
}
impl Resolution {
    /// Every allowed value, in the model's order.
    pub const ALL: &'static [Self] = &[Self::P720, Self::P1080];
    /// The wire value, as text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::P720 => "720p",
            Self::P1080 => "1080p",
        }
    }
}
///The hub's default: `1080p`.
#[automatically_derived]
impl ::core::default::Default for Resolution {
    fn default() -> Self {
        Self::P1080
    }
}
#[automatically_derived]
impl ::core::fmt::Display for Resolution {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
#[automatically_derived]
impl ::core::str::FromStr for Resolution {
    type Err = ::videohub::schema::ParamError;
    fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
        match s {
            "720p" => ::core::result::Result::Ok(Self::P720),
            "1080p" => ::core::result::Result::Ok(Self::P1080),
            _ => {
                ::core::result::Result::Err(
                    ::videohub::__private::not_allowed(
                        "resolution",
                        s,
                        <Self as ::videohub::ValueEnum>::VALUES,
                    ),
                )
            }
        }
    }
}
#[automatically_derived]
impl ::videohub::__private::serde::Serialize for Resolution {
    fn serialize<S: ::videohub::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::core::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
#[automatically_derived]
impl ::videohub::ValueEnum for Resolution {
    const PARAM: &'static str = "resolution";
    const TYPE: ::videohub::schema::ParamType = ::videohub::schema::ParamType::String;
    const VALUES: &'static [::videohub::schema::Literal] = &[
        ::videohub::schema::Literal::str("720p"),
        ::videohub::schema::Literal::str("1080p"),
    ];
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn to_literal(self) -> ::videohub::schema::Literal {
        <Self as ::videohub::ValueEnum>::VALUES[self as usize].clone()
    }
}
///Builds a [`Wan27`] request; start with [`Wan27::builder`].
#[must_use = "a builder does nothing until `.build()` is called"]
#[derive(Debug, Clone)]
pub struct Wan27Builder<
    PromptState = ::videohub::Unset,
    ScriptGroupState = ::videohub::Unset,
> {
    seed: Option<i64>,
    prompt: PromptState,
    duration: Duration,
    resolution: Resolution,
    enable_prompt_expansion: bool,
    multi_prompt: Option<Vec<String>>,
    script: Option<String>,
    __script_group: ScriptGroupState,
}
impl Wan27 {
    ///Starts a `wan-2.7` request with every documented default in place.
    pub fn builder() -> Wan27Builder {
        Wan27Builder {
            seed: ::core::option::Option::None,
            prompt: ::videohub::Unset,
            duration: Duration::S5,
            resolution: Resolution::P1080,
            enable_prompt_expansion: true,
            multi_prompt: ::core::option::Option::None,
            script: ::core::option::Option::None,
            __script_group: ::videohub::Unset,
        }
    }
}
impl<PromptState, ScriptGroupState> Wan27Builder<PromptState, ScriptGroupState> {
    /**Random seed for reproducibility.

Range: 0..=2147483647.*/
    pub fn seed(mut self, value: i64) -> Self {
        self.seed = ::core::option::Option::Some(value);
        self
    }
    /**Text prompt describing the desired video.

**Required.** At most 5000 characters.*/
    pub fn prompt(
        self,
        value: impl ::core::convert::Into<::std::string::String>,
    ) -> Wan27Builder<::videohub::Set<String>, ScriptGroupState> {
        Wan27Builder {
            seed: self.seed,
            prompt: ::videohub::Set(value.into()),
            duration: self.duration,
            resolution: self.resolution,
            enable_prompt_expansion: self.enable_prompt_expansion,
            multi_prompt: self.multi_prompt,
            script: self.script,
            __script_group: self.__script_group,
        }
    }
    /**Output video duration in seconds.

Allowed values: `2`, `5`. Default: `5`.*/
    pub fn duration(mut self, value: Duration) -> Self {
        self.duration = value;
        self
    }
    /**Output video resolution tier.

Allowed values: `720p`, `1080p`. Default: `1080p`.*/
    pub fn resolution(mut self, value: Resolution) -> Self {
        self.resolution = value;
        self
    }
    /**Enable intelligent prompt rewriting.

Default: `true`.*/
    pub fn enable_prompt_expansion(mut self, value: bool) -> Self {
        self.enable_prompt_expansion = value;
        self
    }
    /**A prompt given as shots.

At most one of `shots`, `script` can be set.*/
    pub fn multi_prompt(
        self,
        value: impl ::core::iter::IntoIterator<Item = String>,
    ) -> Wan27Builder<PromptState, ::videohub::Set<()>>
    where
        ScriptGroupState: __Wan27ScriptGroupOpen,
    {
        Wan27Builder {
            seed: self.seed,
            prompt: self.prompt,
            duration: self.duration,
            resolution: self.resolution,
            enable_prompt_expansion: self.enable_prompt_expansion,
            multi_prompt: ::core::option::Option::Some(value.into_iter().collect()),
            script: self.script,
            __script_group: ::videohub::Set(()),
        }
    }
    /**A prompt given as a script.

At most one of `shots`, `script` can be set.*/
    pub fn script(
        self,
        value: impl ::core::convert::Into<::std::string::String>,
    ) -> Wan27Builder<PromptState, ::videohub::Set<()>>
    where
        ScriptGroupState: __Wan27ScriptGroupOpen,
    {
        Wan27Builder {
            seed: self.seed,
            prompt: self.prompt,
            duration: self.duration,
            resolution: self.resolution,
            enable_prompt_expansion: self.enable_prompt_expansion,
            multi_prompt: self.multi_prompt,
            script: ::core::option::Option::Some(value.into()),
            __script_group: ::videohub::Set(()),
        }
    }
    /// Finishes the request. Available once every required parameter is set.
    pub fn build(self) -> Wan27
    where
        PromptState: __Wan27HasPrompt,
    {
        Wan27 {
            seed: self.seed,
            prompt: __Wan27HasPrompt::__value(self.prompt),
            duration: self.duration,
            resolution: self.resolution,
            enable_prompt_expansion: self.enable_prompt_expansion,
            multi_prompt: self.multi_prompt,
            script: self.script,
        }
    }
}
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "missing required parameter `prompt` of `wan-2.7`",
    label = "`prompt` was never set",
    note = "call `.prompt(...)` on the builder before `.build()`"
)]
pub trait __Wan27HasPrompt {
    #[doc(hidden)]
    fn __value(self) -> String;
}
#[automatically_derived]
impl __Wan27HasPrompt for ::videohub::Set<String> {
    fn __value(self) -> String {
        self.0
    }
}
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`shots`, `script` of `wan-2.7` are mutually exclusive: at most one of them can be set",
    label = "one of them is set already"
)]
pub trait __Wan27ScriptGroupOpen {}
#[automatically_derived]
impl __Wan27ScriptGroupOpen for ::videohub::Unset {}
impl Wan27 {
    ///Random seed for reproducibility.
    pub fn seed(&self) -> Option<i64> {
        self.seed
    }
    ///Text prompt describing the desired video.
    pub fn prompt(&self) -> &str {
        &self.prompt
    }
    ///Output video duration in seconds. (default `5`)
    pub fn duration(&self) -> Duration {
        self.duration
    }
    ///Output video resolution tier. (default `1080p`)
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }
    ///Enable intelligent prompt rewriting. (default `true`)
    pub fn enable_prompt_expansion(&self) -> bool {
        self.enable_prompt_expansion
    }
    ///A prompt given as shots.
    pub fn multi_prompt(&self) -> ::core::option::Option<&[String]> {
        self.multi_prompt.as_deref()
    }
    ///A prompt given as a script.
    pub fn script(&self) -> ::core::option::Option<&str> {
        self.script.as_deref()
    }
}
#[automatically_derived]
impl ::videohub::Model for Wan27 {
    const ID: &'static str = "wan-2.7";
    const SCHEMA: &'static ::videohub::ModelSchema = &::videohub::ModelSchema {
        id: ::videohub::__private::Cow::Borrowed("wan-2.7"),
        name: ::videohub::__private::Cow::Borrowed("WAN 2.7"),
        vendor: ::videohub::__private::Cow::Borrowed("Alibaba"),
        category: ::videohub::schema::Category::TextToVideo,
        description: ::videohub::__private::Cow::Borrowed("WAN 2.7 text-to-video."),
        params: ::videohub::__private::Cow::Borrowed(
            &[
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("seed"),
                    ty: ::videohub::schema::ParamType::Integer,
                    required: false,
                    default: ::core::option::Option::None,
                    values: ::core::option::Option::None,
                    range: ::core::option::Option::Some(
                        ::videohub::schema::Range::inclusive(
                            ::videohub::schema::Literal::Int(0),
                            ::videohub::schema::Literal::Int(2147483647),
                        ),
                    ),
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "Random seed for reproducibility.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("prompt"),
                    ty: ::videohub::schema::ParamType::String,
                    required: true,
                    default: ::core::option::Option::None,
                    values: ::core::option::Option::None,
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::Some(5000u32),
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "Text prompt describing the desired video.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("duration"),
                    ty: ::videohub::schema::ParamType::Integer,
                    required: false,
                    default: ::core::option::Option::Some(
                        ::videohub::schema::Literal::Int(5),
                    ),
                    values: ::core::option::Option::Some(
                        ::videohub::__private::Cow::Borrowed(
                            <Duration as ::videohub::ValueEnum>::VALUES,
                        ),
                    ),
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "Output video duration in seconds.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("resolution"),
                    ty: ::videohub::schema::ParamType::String,
                    required: false,
                    default: ::core::option::Option::Some(
                        ::videohub::schema::Literal::str("1080p"),
                    ),
                    values: ::core::option::Option::Some(
                        ::videohub::__private::Cow::Borrowed(
                            <Resolution as ::videohub::ValueEnum>::VALUES,
                        ),
                    ),
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "Output video resolution tier.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed(
                        "enable_prompt_expansion",
                    ),
                    ty: ::videohub::schema::ParamType::Boolean,
                    required: false,
                    default: ::core::option::Option::Some(
                        ::videohub::schema::Literal::Bool(true),
                    ),
                    values: ::core::option::Option::None,
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "Enable intelligent prompt rewriting.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("shots"),
                    ty: ::videohub::schema::ParamType::Array,
                    required: false,
                    default: ::core::option::Option::None,
                    values: ::core::option::Option::None,
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::Some(::videohub::schema::Items {
                        ty: ::videohub::schema::ParamType::String,
                        fields: ::videohub::__private::Cow::Borrowed(&[]),
                    }),
                    description: ::videohub::__private::Cow::Borrowed(
                        "A prompt given as shots.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
                ::videohub::schema::ParamSchema {
                    name: ::videohub::__private::Cow::Borrowed("script"),
                    ty: ::videohub::schema::ParamType::String,
                    required: false,
                    default: ::core::option::Option::None,
                    values: ::core::option::Option::None,
                    range: ::core::option::Option::None,
                    max_length: ::core::option::Option::None,
                    items: ::core::option::Option::None,
                    description: ::videohub::__private::Cow::Borrowed(
                        "A prompt given as a script.",
                    ),
                    more: ::videohub::schema::More::NONE,
                },
            ],
        ),
        image_inputs: ::core::option::Option::None,
        constraints: ::videohub::__private::Cow::Borrowed(
            &[
                ::videohub::schema::Constraint {
                    kind: ::videohub::schema::ConstraintKind::AtMostOneOf,
                    params: ::videohub::__private::Cow::Borrowed(
                        &[
                            ::videohub::__private::Cow::Borrowed("shots"),
                            ::videohub::__private::Cow::Borrowed("script"),
                        ],
                    ),
                },
            ],
        ),
    };
    fn validate(&self) -> ::core::result::Result<(), ::videohub::ValidationErrors> {
        let mut errors = ::std::vec::Vec::new();
        if let ::core::option::Option::Some(value) = &self.seed {
            ::videohub::__private::check_range(
                &mut errors,
                "seed",
                *value as f64,
                &::videohub::schema::Range::inclusive(
                    ::videohub::schema::Literal::Int(0),
                    ::videohub::schema::Literal::Int(2147483647),
                ),
                value,
            );
        }
        let value = &self.prompt;
        ::videohub::__private::check_length(&mut errors, "prompt", value, 5000u32);
        ::videohub::ValidationErrors::check(errors)
    }
}
