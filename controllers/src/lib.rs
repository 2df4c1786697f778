//! The karmada-controller-manager library: the federation's controllers, each registered by name
//! and run by [`manager::run`].
//!
//! Who writes what (every status field has exactly one writer):
//!
//! | controller | writes |
//! | --- | --- |
//! | detector | template claim labels/annotations; RB/CRB spec except `clusters`; policy finalizers |
//! | scheduler | RB/CRB `spec.clusters`; status `Scheduled` condition, `schedulerObservedGeneration`, `schedulerObservingAffinityName`, `lastScheduledTime`; the applied-placement annotation |
//! | binding | Works (spec, labels, annotations); RB/CRB finalizer |
//! | execution | member objects; Work finalizer; Work `Applied` condition |
//! | workStatus | Work `manifestStatuses` |
//! | bindingStatus | RB/CRB `aggregatedStatus`, `FullyApplied` condition; template `status` |
//! | cluster | execution namespaces; Cluster finalizer and condition taints |
//! | clusterStatus | Cluster `status` (push clusters) |
//! | namespace | Works of auto-propagated namespaces |

pub mod binding;
pub mod interpret;
pub mod naming;
pub mod scheduler;
pub mod selectors;
