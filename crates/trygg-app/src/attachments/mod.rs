//! Evidence on a case: what is done to a file between its upload and its storage.

pub mod metadata;
pub mod scanning;
pub mod sealing;
