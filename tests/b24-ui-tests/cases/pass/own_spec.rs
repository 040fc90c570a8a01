use b24::Method;

/// A method of the user's own, from a spec file next to the crate.
#[b24::b24_method("vendor.thing.do", spec = "specs/vendor.thing.do.toml")]
pub struct DoThing;

/// Same method, only some parameters declared.
#[b24::b24_method("vendor.thing.do", spec = "specs/vendor.thing.do.toml")]
#[derive(Debug)]
pub struct DoThingById {
    /// The thing.
    pub id: i64,
    pub tags: Option<Vec<String>>,
}

fn main() {
    let t = DoThing::new(5).mode(true).tags(vec!["a".to_string()]);
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#"{"ID":5,"MODE":"Y","TAGS":["a"]}"#
    );
    assert_eq!(<DoThing as Method>::NAME, "vendor.thing.do");
    let too_many = DoThingById::new(1).tags(vec![String::new(); 4]);
    let err = too_many.validate().unwrap_err();
    assert!(err.to_string().contains("TAGS"));
    let _: fn() -> Option<std::collections::BTreeMap<String, i64>> = || None::<<DoThing as Method>::Output>;
}
