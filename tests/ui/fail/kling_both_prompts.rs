use videohub::models::kling::{KlingV3Pro, Shot, kling_v3_pro::Duration};

fn main() {
    let shots = vec![Shot::new("a fox", Duration::S5)];
    let _request = KlingV3Pro::builder().prompt("a fox").multi_prompt(shots).build();
}
