pub mod audit;
pub mod case_work;
pub mod catalogue;
pub mod comments;
pub mod health;
pub mod incidents;
pub mod queue;
pub mod routing;
