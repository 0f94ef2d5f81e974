use videohub::models::kling::KlingV3Pro;

fn main() {
    let _request = KlingV3Pro::builder().cfg_scale(0.5).build();
}
