#[b24::b24_method("vendor.thing.do", spec = "ui/specs/malformed.toml")]
pub struct DoThing;

fn main() {}
