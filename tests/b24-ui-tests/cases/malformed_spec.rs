#[b24::b24_method("vendor.thing.do", spec = "specs/malformed.toml")]
pub struct DoThing;

fn main() {}
