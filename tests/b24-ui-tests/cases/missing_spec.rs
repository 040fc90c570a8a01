#[b24::b24_method("vendor.thing.do", spec = "specs/does-not-exist.toml")]
pub struct DoThing;

fn main() {}
