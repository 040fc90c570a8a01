#[b24::b24_method("vendor.tree.get", spec = "specs/recursive.toml")]
pub struct GetTree;

fn main() {}
