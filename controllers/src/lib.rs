//! The karmada-controller-manager library: the federation's controllers, each registered by name
//! and run by [`manager::run`].
//!
//! Who writes what (every status field has exactly one writer):
//!
//! | controller | writes |
//! | --- | --- |
//! | detector | template claim labels/annotations; RB/CRB spec except `clusters`; policy finalizers |
//! | scheduler | RB/CRB `spec.clusters` and the applied-placement annotation; status `Scheduled` condition, `schedulerObservedGeneration`, `schedulerObservingAffinityName`, `lastScheduledTime` |
//! | binding | Works (spec, labels, annotations); RB/CRB finalizer |
//! | dependencies | parent RBs: the `resourcebinding.karmada.io/dependencies` annotation and the `karmada.io/binding-dependencies-distributor` finalizer; attached RBs (created and deleted); on any RB: `spec.requiredBy` and the `resourcebinding.karmada.io/depended-by-*` labels; on attached-only RBs (no placement, no claim) also `spec.resource`, `spec.conflictResolution`, `spec.preserveResourcesOnDeletion` |
//! | execution | member objects; Work finalizer; Work `Applied` and `Dispatching` conditions |
//! | workStatus | Work `manifestStatuses` |
//! | bindingStatus | RB/CRB `aggregatedStatus`, `FullyApplied` condition; template `status` |
//! | cluster | execution namespaces; Cluster finalizer and condition taints |
//! | clusterStatus | Cluster `status` (push clusters) |
//! | namespace | Works of auto-propagated namespaces |

pub mod binding;
pub mod bindings;
pub mod cluster;
pub mod context;
pub mod dependencies;
pub mod detector;
pub mod events;
pub mod execution;
pub mod interpret;
pub mod leader;
pub mod manager;
pub mod members;
pub mod namespace;
pub mod naming;
pub mod runtime;
pub mod scheduler;
pub mod selectors;
pub mod status;
