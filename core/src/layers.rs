//! The layers drawn in the crate's docs, checked against the code: a module names only modules
//! of its own layer or below (through `crate::` paths, as the crate's modules reach each
//! other), and no modules name each other in a circle. Test code is left out: a module's tests
//! may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers from the bottom, as `lib.rs` draws them. `vocab` is the vocabulary crate.
const LAYERS: &[&[&str]] = &[
    &[
        "clock",
        "error",
        "redact",
        "url_rules",
        "object_url",
        "schema",
        "model",
        "media",
        "vocab",
    ],
    &["wire"],
    &["hub", "learned", "objects"],
    &["catalog", "poll", "download", "task", "output"],
    &["client"],
];

/// Which modules each module names: module → modules it uses.
type Uses = BTreeMap<String, BTreeSet<String>>;

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A file's code (see [`code`]).
fn read(path: &Path) -> String {
    code(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The code of a file's text: comments, string and character literals blanked, its test
/// module cut. Raw strings are read as plain ones (the crate's code outside tests has none).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            ('"', _) => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            // A character literal ('x', '\n', '"'), not a lifetime ('a).
            ('\'', Some(&next)) => {
                let mut ahead = chars.clone();
                ahead.next();
                if next == '\\' || ahead.peek() == Some(&'\'') {
                    let escaped = next == '\\';
                    chars.next();
                    if escaped {
                        chars.next();
                    }
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                    out.push_str("' '");
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The first segment of every `crate::` path in `code`, groups (`crate::{a, b::c}`) included.
fn crate_names(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // a longer name ending in `crate` (`$crate::` counts: a macro's own crate)
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut item) = (0, String::new());
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            names.push(ident(&item));
        } else {
            names.push(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

/// The names `lib.rs` re-exports, each with the module it comes from (`crate::vocab`, a
/// renamed crate, is in `LAYERS` itself).
fn reexports() -> BTreeMap<String, String> {
    let lib = read(&src().join("lib.rs"));
    let mut names = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let (module, items) = path.split_once("::").unwrap_or((path, ""));
        let module = if module == "videohub_vocab" {
            "vocab"
        } else {
            module
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    names
}

fn rust_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
        files.push(path.to_owned());
    }
}

/// What each of the layered modules uses, read from its files.
fn uses_in_code() -> Uses {
    let reexports = reexports();
    let mut uses = Uses::new();
    for module in LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|m| **m != "vocab")
    {
        let mut files = Vec::new();
        for path in [src().join(format!("{module}.rs")), src().join(module)] {
            if path.exists() {
                rust_files(&path, &mut files);
            }
        }
        assert!(!files.is_empty(), "no file holds the module `{module}`");
        let used = uses.entry((*module).to_owned()).or_default();
        for file in &files {
            for name in crate_names(&read(file)) {
                let target = match layer(&name) {
                    Some(_) => name,
                    None => reexports.get(&name).cloned().unwrap_or_else(|| {
                        panic!(
                            "{}: `crate::{name}` is neither a module nor a name lib.rs re-exports",
                            file.display()
                        )
                    }),
                };
                if target != *module {
                    used.insert(target);
                }
            }
        }
    }
    uses
}

/// Each use of a module in a layer above the user's, as "user -> used".
fn upward(uses: &Uses) -> Vec<String> {
    let mut found = Vec::new();
    for (user, used) in uses {
        for target in used {
            if layer(target) > layer(user) {
                found.push(format!("{user} -> {target}"));
            }
        }
    }
    found
}

/// A circle of modules, if any: its modules in order, the first repeated at the end.
fn circle(uses: &Uses) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        uses: &Uses,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == at) {
            let mut found = path[start..].to_vec();
            found.push(at.to_owned());
            return Some(found);
        }
        if !done.insert(at.to_owned()) {
            return None;
        }
        path.push(at.to_owned());
        for next in uses.get(at).into_iter().flatten() {
            if let Some(found) = visit(next, uses, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    uses.keys()
        .find_map(|m| visit(m, uses, &mut Vec::new(), &mut done))
}

#[test]
fn every_module_of_the_crate_has_its_layer() {
    let lib = read(&src().join("lib.rs"));
    let unplaced: Vec<&str> = lib
        .split(';')
        .filter_map(|stmt| stmt.trim().rsplit_once("mod ").map(|(_, name)| name.trim()))
        .filter(|name| !["layers", "__private"].contains(name) && layer(name).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer of core/src/layers.rs (add each where lib.rs draws it): {unplaced:?}"
    );
}

#[test]
fn every_module_uses_only_its_layer_and_those_below() {
    let uses = uses_in_code();
    assert!(
        uses["client"].contains("task"),
        "the reading found no use at all: {uses:?}"
    );
    assert_eq!(upward(&uses), Vec::<String>::new(), "uses of a layer above");
}

#[test]
fn no_modules_use_each_other_in_a_circle() {
    assert_eq!(circle(&uses_in_code()), None);
}

#[test]
fn the_check_finds_an_upward_use_and_a_circle() {
    let uses: Uses = [
        ("wire", "client"),
        ("task", "poll"),
        ("poll", "output"),
        ("output", "task"),
    ]
    .into_iter()
    .fold(Uses::new(), |mut uses, (a, b)| {
        uses.entry(a.into()).or_default().insert(b.into());
        uses
    });
    assert_eq!(upward(&uses), ["wire -> client"]);
    assert_eq!(circle(&uses).unwrap(), ["output", "task", "poll", "output"]);
}

#[test]
fn paths_are_read_through_groups_comments_and_literals() {
    let text = "use crate::{wire::{retry, Verdict}, Error};\n// crate::client\n\
                let s = \"crate::hub\"; let c = '\"'; fn f<'a>(x: &'a crate::task::Task) {}\n\
                $crate::model::Model; /* crate::poll */ crate::clock::Clock";
    assert_eq!(
        crate_names(&code(text)),
        ["wire", "Error", "task", "model", "clock"]
    );
    assert_eq!(reexports()["Error"], "error");
    assert_eq!(reexports()["Capability"], "vocab");
}
