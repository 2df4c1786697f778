//! The scheduler: pure decisions in [`core`], applied to bindings by the controller.

pub mod core;
