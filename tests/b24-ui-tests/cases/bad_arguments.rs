#[b24::b24_method("im.recent.unread", spce = "x.toml")]
pub struct A;

#[b24::b24_method("im.recent.unread", api = "v4")]
pub struct B;

#[b24::b24_method()]
pub struct C;

#[b24::b24_method("im.recent.unread")]
pub enum D {}

#[b24::b24_method("im.recent.unread")]
pub struct E(String);

fn main() {}
