//! A case as stored and the ground every reader and writer of cases stands on: its row made
//! into an [`Incident`], the visibility rule as SQL, its responsible offices, and its timeline.
//! Filing, reading, working and counting cases build on this module; it builds on none of them.

mod offices;
mod row;
mod scope;
mod timeline;

pub(crate) use offices::{insert_offices, joined_with_offices, set_offices, with_offices};
pub use row::Incident;
pub(crate) use row::{CircumstanceColumns, IncidentRow, record_key, violence_forms};
pub(crate) use scope::{Backend, Condition, find, open, visible_seq, visible_to};
pub(crate) use timeline::{EventRow, record, timeline_of};
