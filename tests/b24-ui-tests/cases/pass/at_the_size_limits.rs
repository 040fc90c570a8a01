use b24::Method;

/// 1,000 parameters, a result of 1,000 fields, named types 32 deep: the loader's limits.
#[b24::b24_method("vendor.big.do", spec = "specs/vendor.big.do.toml")]
pub struct DoBig;

fn main() {
    let big = DoBig::new(
        0,
        "x".to_string(),
        true,
        vec![],
        std::collections::BTreeMap::new(),
        b24::jiff::Timestamp::UNIX_EPOCH,
        1.5,
        true,
        2,
        "y".to_string(),
        false,
    )
    .p1("7");
    let json = serde_json::to_value(&big).unwrap();
    assert_eq!(json["P0"], 0);
    assert_eq!(json["P1"], "7");
    assert_eq!(json["P873"], "y");
    assert_eq!(json["P970"], "N");
    assert_eq!(<DoBig as Method>::NAME, "vendor.big.do");
}
