//! Hostile input and faults: each row of docs/hostile-input.md has a test here.
