pub mod catalogue;
pub mod health;
pub mod incidents;
