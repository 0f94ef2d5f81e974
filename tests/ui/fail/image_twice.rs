use videohub::Image;
use videohub::models::veo::Veo31Image;

fn main() {
    let a = Image::url("https://example.com/a.png").unwrap();
    let b = Image::url("https://example.com/b.png").unwrap();
    let _request = Veo31Image::builder().prompt("a fox").image(vec![a, b]).build();
}
