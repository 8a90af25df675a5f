//! Health professions for Sanus: the catalogue of professions and their
//! fields ([`catalogue`]), the rules that check registry numbers
//! ([`numbers`]), and the code tables those rules read ([`tables`]).
//!
//! Nothing here does input or output, so the same code runs on the server
//! (which decides) and in the browser (which tells people what is wrong as
//! they type).

pub mod catalogue;
pub mod numbers;
pub mod tables;

pub use catalogue::{Checked, FIELDS, Field, Kind, PROFESSIONS, Profession, ProfileError, check_profile};
pub use numbers::{Accepted, Note, Problem};
pub use tables::Label;
