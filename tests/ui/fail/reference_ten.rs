use videohub::Image;
use videohub::models::veo::Veo31Ref;

fn main() {
    let a = Image::url("https://example.com/a.png").unwrap();
    let images = [(); 10].map(|()| a.clone());
    let _request = Veo31Ref::builder().prompt("a fox").reference_images(images).build();
}
