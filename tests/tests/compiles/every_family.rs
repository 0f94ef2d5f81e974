//! Every family's builder, with values of its own.
use videohub::Model;
use videohub::models::kling::{KlingV3Pro, Shot, kling_v3_pro};
use videohub::models::seedance::{Seedance20, seedance_2_0};
use videohub::models::veo::{Veo3, Veo31, Veo31Fast, veo_3_1};
use videohub::models::wan::{Wan27, wan_2_7};

#[test]
fn every_family_builds_with_its_own_values() {
    let veo = Veo31::builder()
        .resolution(veo_3_1::Resolution::K4)
        .prompt("a fox")
        .build();
    let _ = (
        Veo31Fast::builder().prompt("a").build(),
        Veo3::builder().prompt("a").build(),
    );
    let kling = KlingV3Pro::builder()
        .multi_prompt(vec![Shot::new("a fox", kling_v3_pro::Duration::S5)])
        .aspect_ratio(kling_v3_pro::AspectRatio::Ratio1x1)
        .build();
    let wan = Wan27::builder()
        .duration(wan_2_7::Duration::S2)
        .prompt("a")
        .seed(3)
        .build();
    let seedance = Seedance20::builder()
        .prompt("a")
        .aspect_ratio(seedance_2_0::AspectRatio::Ratio21x9)
        .build();
    // Setting a required parameter twice keeps the last value.
    let twice = Veo31::builder().prompt("first").prompt("second").build();
    assert_eq!(twice.prompt(), "second");
    let _ = (
        veo.to_input(),
        kling.to_input(),
        wan.validate(),
        seedance.to_input(),
    );
}
