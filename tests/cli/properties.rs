//! Property tests of the library API.
