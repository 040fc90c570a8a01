//! Which portal: `B24_WEBHOOK_URL`, or a profile of the config file
//! (`<config dir>/b24/config.toml`, or the file `B24_CONFIG` names).
//!
//! ```toml
//! [profiles.default]
//! webhook = "https://example.bitrix24.com/rest/1/…/"
//! ```
//!
//! The file is written with 0600 permissions; a webhook is read from standard input, never
//! from the command line (where other users see it), and never printed.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::fail::Fail;

/// `b24 profile …`.
#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Add (or replace) a profile; its webhook URL is read from standard input.
    #[command(after_help = "Example:\n  printf '%s\\n' \"$URL\" | b24 profile add work")]
    Add {
        /// The profile's name.
        name: String,
    },
    /// List the profiles (names and portals; never their tokens).
    List,
    /// Remove a profile.
    Remove {
        /// The profile's name.
        name: String,
    },
}

fn path() -> Result<PathBuf, Fail> {
    if let Some(p) = std::env::var_os("B24_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    dirs::config_dir()
        .map(|d| d.join("b24").join("config.toml"))
        .ok_or_else(|| Fail::Config("no config directory on this system: set B24_CONFIG".into()))
}

fn read() -> Result<(PathBuf, toml::Table), Fail> {
    let path = path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((path, toml::Table::new()));
        }
        Err(e) => return Err(Fail::Config(format!("{}: {e}", path.display()))),
    };
    let table = text.parse::<toml::Table>().map_err(|e| {
        // The message names the place, not the line's text (it may be a webhook).
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start].lines().count().max(1);
                format!(":{line}")
            })
            .unwrap_or_default();
        Fail::Config(format!("{}{at}: not a valid config file", path.display()))
    })?;
    Ok((path, table))
}

fn write(path: &PathBuf, table: &toml::Table) -> Result<(), Fail> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Fail::Config(format!("{}: {e}", dir.display())))?;
    }
    let text = toml::to_string(table).map_err(|e| Fail::Config(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // A file made before with wider permissions is narrowed too.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Fail::Config(format!("{}: {e}", path.display())))?;
        }
    }
    let mut file = options
        .open(path)
        .map_err(|e| Fail::Config(format!("{}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Fail::Config(format!("{}: {e}", path.display())))
}

/// The webhook URL to call: the profile asked for, else `B24_WEBHOOK_URL`, else the
/// profile `default`.
pub fn webhook(profile: Option<&str>) -> Result<String, Fail> {
    if profile.is_none()
        && let Ok(url) = std::env::var("B24_WEBHOOK_URL")
        && !url.trim().is_empty()
    {
        return Ok(url.trim().to_string());
    }
    let name = profile.unwrap_or("default");
    let (path, table) = read()?;
    let url = table
        .get("profiles")
        .and_then(|p| p.get(name))
        .and_then(|p| p.get("webhook"))
        .and_then(toml::Value::as_str);
    match url {
        Some(url) => Ok(url.to_string()),
        None if profile.is_none() => Err(Fail::Config(format!(
            "no portal: set B24_WEBHOOK_URL to an inbound webhook URL, or add a profile with `b24 profile add default` ({} has none)",
            path.display()
        ))),
        None => Err(Fail::Config(format!(
            "no profile `{name}` in {}: add it with `b24 profile add {name}`",
            path.display()
        ))),
    }
}

/// A client of the portal.
pub fn client(profile: Option<&str>) -> Result<b24_core::Client, Fail> {
    let url = webhook(profile)?;
    b24_core::Client::builder()
        .webhook(&url)
        .map_err(|e| Fail::Config(format!("the webhook URL is not usable: {e}")))
}

/// The portal's origin, for the terminal.
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
        }
        None => "(not a URL)".into(),
    }
}

pub fn profile(cmd: ProfileCommand) -> Result<ExitCode, Fail> {
    let (path, mut table) = read()?;
    match cmd {
        ProfileCommand::Add { name } => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Fail::Input(format!("standard input: {e}")))?;
            let url = line.trim();
            if url.is_empty() {
                return Err(Fail::Input(
                    "give the webhook URL on standard input (not as an argument)".into(),
                ));
            }
            b24_core::Client::builder()
                .webhook(url)
                .map_err(|e| Fail::Input(format!("the webhook URL is not usable: {e}")))?;
            let profiles = table
                .entry("profiles")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(profiles) = profiles.as_table_mut() else {
                return Err(Fail::Config(format!(
                    "{}: `profiles` is not a table",
                    path.display()
                )));
            };
            let mut entry = toml::Table::new();
            entry.insert("webhook".into(), toml::Value::String(url.to_string()));
            profiles.insert(name.clone(), toml::Value::Table(entry));
            write(&path, &table)?;
            eprintln!(
                "profile `{name}` ({}) saved in {}",
                origin(url),
                path.display()
            );
        }
        ProfileCommand::List => {
            let profiles = table.get("profiles").and_then(toml::Value::as_table);
            for (name, p) in profiles.into_iter().flatten() {
                let url = p
                    .get("webhook")
                    .and_then(toml::Value::as_str)
                    .unwrap_or_default();
                println!("{name}\t{}", origin(url));
            }
        }
        ProfileCommand::Remove { name } => {
            let removed = table
                .get_mut("profiles")
                .and_then(toml::Value::as_table_mut)
                .and_then(|p| p.remove(&name));
            if removed.is_none() {
                return Err(Fail::Input(format!(
                    "no profile `{name}` in {}",
                    path.display()
                )));
            }
            write(&path, &table)?;
            eprintln!("profile `{name}` removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}
