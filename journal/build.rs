//! Lists the journal's schema steps, `migrations/<database>/NNNN_<what>.sql` in the order
//! of their numbers, for `store::connect`: a new step is its two files, and nothing else.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let out = std::env::var("OUT_DIR").expect("set by cargo");
    let mut code = String::new();
    for (name, database) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = Path::new(&manifest).join("migrations").join(database);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut steps: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("the migrations folder")
            .map(|entry| entry.expect("a migration").path())
            .filter(|path| path.extension().is_some_and(|e| e == "sql"))
            .collect();
        steps.sort();
        code.push_str(&format!(
            "/// The {database} schema, one step per version.\nconst {name}: [&str; {}] = [\n",
            steps.len()
        ));
        for step in steps {
            code.push_str(&format!(
                "    include_str!({:?}),\n",
                step.display().to_string()
            ));
        }
        code.push_str("];\n");
    }
    std::fs::write(Path::new(&out).join("migrations.rs"), code).expect("OUT_DIR is writable");
}
