//! Server functions, by area. Their bodies run on the server only.

pub mod interaction;
