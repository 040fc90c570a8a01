//! Files: what the REST API uploads (`["name.ext", "<base64>"]`, or the same inside
//! `{"fileData": …}`) and what it describes (`{"id": 7, "downloadUrl": …}`).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use crate::check::Check;
use crate::wire::{FromWire, WireError};

/// A file to upload: a name and its bytes; sent base64-encoded, as the REST API takes it.
///
/// ```
/// use b24::types::FileUpload;
/// let f = FileUpload::from_bytes("hello.txt", b"hi".to_vec());
/// assert_eq!(serde_json::to_value(&f)?, serde_json::json!(["hello.txt", "aGk="]));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FileUpload {
    name: String,
    content: Vec<u8>,
}

impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("name", &self.name)
            .field("bytes", &self.content.len())
            .finish()
    }
}

impl FileUpload {
    /// A file named `name` holding `content`.
    pub fn from_bytes(name: impl Into<String>, content: impl Into<Vec<u8>>) -> FileUpload {
        FileUpload {
            name: name.into(),
            content: content.into(),
        }
    }

    /// The file at `path`, named by its file name.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<FileUpload> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")
            })?;
        Ok(FileUpload {
            name,
            content: std::fs::read(path)?,
        })
    }

    /// The file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bytes.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The wire form: `["name", "<base64>"]`.
    pub fn to_value(&self) -> Value {
        json!([self.name, STANDARD.encode(&self.content)])
    }

    /// The upload inside `{"fileData": …}`, as CRM fields take it.
    pub fn into_file_data(self) -> File {
        File::FileData(self)
    }

    fn from_pair(v: &Value) -> Option<FileUpload> {
        let a = v.as_array()?;
        let [name, data] = a.as_slice() else {
            return None;
        };
        let content = STANDARD.decode(data.as_str()?.trim()).ok()?;
        Some(FileUpload {
            name: name.as_str()?.to_string(),
            content,
        })
    }
}

impl Serialize for FileUpload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

/// A file the portal describes in a result: its id and where to get it. Download it with
/// [`Client::download`](crate::Client::download).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct StoredFile {
    /// `id` (or `ID`).
    pub id: Option<i64>,
    /// `downloadUrl` (or `DOWNLOAD_URL`).
    pub download_url: Option<String>,
    /// `showUrl` (or `SHOW_URL`).
    pub show_url: Option<String>,
    /// Every member as sent.
    pub raw: Map<String, Value>,
}

/// A file parameter or field: an upload going out, or a file the portal describes coming
/// back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum File {
    /// An upload, sent as `["name", "<base64>"]`.
    Upload(FileUpload),
    /// An upload sent as `{"fileData": ["name", "<base64>"]}` (CRM fields).
    FileData(FileUpload),
    /// A file the portal already has, by id.
    Id(i64),
    /// A file the portal describes.
    Stored(StoredFile),
    /// Anything else (`{"remove": "Y"}`, a URL, …), sent as it is.
    Other(Value),
}

impl From<FileUpload> for File {
    fn from(f: FileUpload) -> Self {
        File::Upload(f)
    }
}

impl File {
    /// The wire form.
    pub fn to_value(&self) -> Value {
        match self {
            File::Upload(f) => f.to_value(),
            File::FileData(f) => json!({ "fileData": f.to_value() }),
            File::Id(id) => json!(id),
            File::Stored(s) => Value::Object(s.raw.clone()),
            File::Other(v) => v.clone(),
        }
    }
}

impl Serialize for File {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

fn member<'v>(o: &'v Map<String, Value>, a: &str, b: &str) -> Option<&'v Value> {
    o.get(a).or_else(|| o.get(b)).filter(|v| !v.is_null())
}

impl FromWire for File {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        if let Some(f) = FileUpload::from_pair(v) {
            return Ok(File::Upload(f));
        }
        match v {
            Value::Number(n) if n.as_i64().is_some() => Ok(File::Id(n.as_i64().unwrap_or(0))),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                Ok(File::Id(s.trim().parse().unwrap_or(0)))
            }
            Value::Object(o) => {
                if let Some(f) = o.get("fileData").and_then(FileUpload::from_pair) {
                    return Ok(File::FileData(f));
                }
                let id = member(o, "id", "ID").and_then(|x| i64::from_wire(x).ok());
                let url = |a, b| member(o, a, b).and_then(Value::as_str).map(str::to_string);
                let download_url = url("downloadUrl", "DOWNLOAD_URL");
                let show_url = url("showUrl", "SHOW_URL");
                if id.is_some() || download_url.is_some() || show_url.is_some() {
                    Ok(File::Stored(StoredFile {
                        id,
                        download_url,
                        show_url,
                        raw: o.clone(),
                    }))
                } else {
                    Ok(File::Other(v.clone()))
                }
            }
            other => Ok(File::Other(other.clone())),
        }
    }
}

impl Check for File {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_round_trip_byte_for_byte() {
        let bytes: Vec<u8> = (0..=255).collect();
        let f = FileUpload::from_bytes("all.bin", bytes.clone());
        let wire = f.to_value();
        match File::from_wire(&wire).expect("reads") {
            File::Upload(back) => {
                assert_eq!(back.content(), &bytes[..]);
                assert_eq!(back.name(), "all.bin");
            }
            other => panic!("{other:?}"),
        }
        let fd = File::FileData(f.clone()).to_value();
        assert_eq!(fd["fileData"], wire);
        assert_eq!(File::from_wire(&fd).expect("reads"), File::FileData(f));
    }

    #[test]
    fn descriptions_ids_and_anything_else() {
        let d = File::from_wire(
            &json!({"id": "7", "downloadUrl": "/rest/download.json?x", "name": "a"}),
        )
        .expect("reads");
        let File::Stored(s) = &d else { panic!("{d:?}") };
        assert_eq!(s.id, Some(7));
        assert_eq!(s.download_url.as_deref(), Some("/rest/download.json?x"));
        assert_eq!(d.to_value()["name"], json!("a"), "everything kept");
        assert_eq!(File::from_wire(&json!(12)).expect("id"), File::Id(12));
        // The docs' placeholder is not base64: kept as sent.
        let p = json!(["a.jpg", "base64_encoded_content_here"]);
        assert_eq!(File::from_wire(&p).expect("kept"), File::Other(p));
    }

    #[test]
    fn debug_does_not_dump_the_content() {
        let f = FileUpload::from_bytes("x", vec![0; 1000]);
        assert_eq!(format!("{f:?}"), "FileUpload { name: \"x\", bytes: 1000 }");
    }
}
