//! The karmada-controller-manager library. Controllers are registered by name; none ships yet (the
//! propagation tranche adds the detector, scheduler, binding, execution and status controllers).

/// Names of the controllers this build knows, in start order.
pub const CONTROLLERS: &[&str] = &[];
