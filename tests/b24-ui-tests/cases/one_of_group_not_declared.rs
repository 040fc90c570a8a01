// telephony.externalCall.register needs at least one of USER_ID and USER_PHONE_INNER: a
// struct that declares neither could never make a valid call.
#[b24::b24_method("telephony.externalCall.register")]
pub struct Register {
    pub phone_number: String,
    pub type_: i64,
}

fn main() {}
