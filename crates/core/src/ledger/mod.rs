//! The entry files and their graph, below the roster and the record's evaluation:
//! one immutable file per sign-off or roster change, named by its time, kind,
//! person and digest ([`entry`]), linked by `after:` into a graph ([`graph`]).
//! The roster's record ([`crate::roster::log`]) and the articles' records
//! ([`crate::record`]) are both read through here, so the two depend one way:
//! `ledger` <- `roster` <- `record`.

pub mod entry;
pub mod graph;
pub mod voids;

/// The folder of the roster's record (admins' roster entries).
pub const ROSTER_DIR: &str = "roster";

use medreview_store::gitstore::EntryKind;

use self::graph::Damage;
use crate::error::Result;
use crate::source::Source;

/// The largest sign-off file read; medreview writes a few hundred bytes.
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;

/// The most sign-offs one article's record may hold. A real article has dozens;
/// the limit keeps a folder flooded with hand-made files from costing the graph
/// (quadratic in its size) minutes and gigabytes.
pub const MAX_ENTRIES: usize = 10_000;

/// The entries read from a folder, and the files that could not be.
pub(crate) type Folder<T> = (Vec<(entry::EntryId, T)>, Vec<Damage>);

/// Every entry file in the folder `dir` of `src`, read and checked against its
/// name, and the files that could not be (dotfiles are skipped: editors and file
/// managers leave them, and they are never entries).
pub(crate) fn read_folder<T: entry::Named>(src: &dyn Source, dir: &str) -> Result<Folder<T>> {
    let mut read = Vec::new();
    let mut damage = Vec::new();
    let listing = src.list(dir)?;
    if listing.len() > MAX_ENTRIES {
        damage.push(Damage::new(
            dir.to_owned(),
            format!(
                "holds {} files, more than the {MAX_ENTRIES} entries one record may hold",
                listing.len()
            ),
        ));
        return Ok((read, damage));
    }
    for (name, kind) in listing {
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{dir}/{name}");
        let bytes = match kind {
            // The size is checked before reading, so a huge file costs nothing.
            EntryKind::File => match src.read_listed(dir, &name, MAX_ENTRY_BYTES as u64)? {
                Err(size) => {
                    damage.push(Damage::new(
                        rel,
                        format!(
                            "is {size} bytes, larger than any entry medreview writes ({MAX_ENTRY_BYTES})"
                        ),
                    ));
                    continue;
                }
                Ok(bytes) => bytes,
            },
            _ => {
                damage.push(Damage::new(
                    rel,
                    "is not a regular file; the folder holds only sign-off or roster files",
                ));
                continue;
            }
        };
        match entry::read_named::<T>(&name, &bytes, &src.shown(&rel)) {
            Ok(pair) => read.push(pair),
            Err(err) => damage.push(Damage {
                file: rel,
                line: err.line,
                message: err.message,
            }),
        }
    }
    Ok((read, damage))
}
