//! Adversarial tests by feature: each test names the attack it tries; one marked
//! `#[ignore = "BUG: ..."]` is an attack that still succeeds and asserts what
//! should happen.

mod editorial;
mod issue23;
mod pages;
mod recertify_and_views;
