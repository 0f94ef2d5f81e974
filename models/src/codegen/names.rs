//! Rust names for the hub's names: modules, types and fields.

/// `veo-3.1` → `veo_3_1`: lowercase, every other character an underscore.
fn snake(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `veo-3.1` → `veo_3_1`.
pub fn module_name(id: &str) -> String {
    let name = snake(id);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("m_{name}")
    } else {
        name
    }
}

/// `veo-3.1` → `Veo31`.
pub fn type_name(text: &str) -> String {
    let name: String = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("M{name}")
    } else {
        name
    }
}

/// A Rust field name for a wire name: `aspect-ratio` → `aspect_ratio`, `type` → `type_`.
pub fn field_name(wire: &str) -> String {
    const KEYWORDS: [&str; 38] = [
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while",
    ];
    let mut name = snake(wire);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "p_");
    }
    if KEYWORDS.contains(&name.as_str()) || name == "builder" {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(module_name("veo-3.1"), "veo_3_1");
        assert_eq!(type_name("kling-v3-pro"), "KlingV3Pro");
        assert_eq!(type_name("aspect_ratio"), "AspectRatio");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("aspect-ratio"), "aspect_ratio");
        assert_eq!(field_name("2pass"), "p_2pass");
    }
}
