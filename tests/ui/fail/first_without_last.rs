use videohub::Image;
use videohub::models::veo::Veo31FirstLast;

fn main() {
    let first = Image::url("https://example.com/first.png").unwrap();
    let _request = Veo31FirstLast::builder().prompt("dawn").first_frame(first).build();
}
