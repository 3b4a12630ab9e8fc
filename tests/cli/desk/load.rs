//! The desk under load: page times and many signed-in doctors at once.
