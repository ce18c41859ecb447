//! Server functions: thin, they check the caller and ask the server's state.

mod status;

pub use status::get_server_status;

#[cfg(feature = "ssr")]
pub use status::StatusSource;
