//! Why a command failed, and the exit status scripts rely on.

use std::fmt;
use std::process::ExitCode;

/// A failed command; its `Display` is the one line printed after `error: `.
#[derive(Debug)]
pub enum Fail {
    /// The portal answered with an error (exit 1).
    Api(String),
    /// Bad input: nothing was sent (exit 2).
    Input(String),
    /// No portal configured, or a bad config file (exit 3).
    Config(String),
    /// The request did not complete (exit 4).
    Transport(String),
    /// b24's own specs do not load: a broken build, never the user's input (exit 5).
    Internal(String),
}

impl Fail {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Fail::Api(_) => 1,
            Fail::Input(_) => 2,
            Fail::Config(_) => 3,
            Fail::Transport(_) => 4,
            Fail::Internal(_) => 5,
        })
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Api(s)
            | Fail::Input(s)
            | Fail::Config(s)
            | Fail::Transport(s)
            | Fail::Internal(s) => f.write_str(s),
        }
    }
}

/// An error of the runtime as the command line reports it (its text is the runtime's,
/// which never holds a secret).
impl From<b24_core::Error> for Fail {
    fn from(e: b24_core::Error) -> Fail {
        use b24_core::Error as E;
        let text = e.to_string();
        match e {
            E::Api(_) | E::Command(_) => Fail::Api(text),
            E::Validation(_) | E::InvalidValue(_) => Fail::Input(text),
            E::Config(_) | E::Auth(_) => Fail::Config(text),
            _ if e.may_have_run() => Fail::Transport(format!("{text} (it may have run)")),
            _ => Fail::Transport(text),
        }
    }
}

/// A file that cannot be read or written.
pub fn io(path: &std::path::Path, e: std::io::Error) -> Fail {
    Fail::Input(format!("{}: {e}", path.display()))
}
