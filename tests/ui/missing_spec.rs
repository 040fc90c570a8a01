#[b24::b24_method("vendor.thing.do", spec = "ui/specs/does-not-exist.toml")]
pub struct DoThing;

fn main() {}
