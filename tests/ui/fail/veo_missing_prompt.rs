use videohub::models::veo::Veo31;

fn main() {
    let _request = Veo31::builder().seed(7).build();
}
