use videohub::models::veo::{Veo31Lite, veo_3_1_lite::Resolution};

fn main() {
    let _request = Veo31Lite::builder().prompt("a fox").resolution(Resolution::K4).build();
}
