use videohub::models::wan::Wan27;

fn main() {
    let _request = Wan27::builder().prompt("a koi pond").duration("5").build();
}
