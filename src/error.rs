//! Errors carry the Python exception type PyTorch raises for the same mistake.
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    Runtime(String),
    Index(String),
    Type(String),
    Value(String),
    NotImplemented(String),
    /// A device allocation failed (`torch.cuda.OutOfMemoryError`, a RuntimeError).
    OutOfMemory(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Runtime(m)
            | Error::Index(m)
            | Error::Type(m)
            | Error::Value(m)
            | Error::NotImplemented(m)
            | Error::OutOfMemory(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for the most common error, a RuntimeError.
pub fn runtime<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Runtime(msg.into()))
}
