use videohub::models::veo::Veo31Image;

fn main() {
    let _request = Veo31Image::builder().prompt("a fox").build();
}
