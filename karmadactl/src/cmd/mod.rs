//! One module per karmadactl verb.

pub mod local_up;
