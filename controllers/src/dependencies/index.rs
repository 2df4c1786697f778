//! Which parent bindings depend on which objects, as the distributor last resolved them, so that a
//! change to a dependency (a ConfigMap created after its Deployment, say) brings back exactly the
//! parents that need it.
//!
//! The index is written by the reconciler only, before it looks the dependencies up in the
//! caches: an object that the lookup missed reaches the caches later, and its event then finds
//! the parent here.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::context::Key;
use crate::interpret::Dependency;

#[derive(Default)]
struct Inner {
    by_parent: HashMap<Key, BTreeSet<Dependency>>,
    by_dependency: HashMap<Dependency, BTreeSet<Key>>,
}

/// A shared, two-way index parent ⇄ dependencies. Cloning shares it.
#[derive(Clone, Default)]
pub struct DependentsIndex {
    inner: Arc<Mutex<Inner>>,
}

impl DependentsIndex {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that `parent` depends on exactly `dependencies`.
    pub fn set(&self, parent: &Key, dependencies: &[Dependency]) {
        let mut inner = self.lock();
        let wanted: BTreeSet<Dependency> = dependencies.iter().cloned().collect();
        let previous = inner.by_parent.remove(parent).unwrap_or_default();
        for gone in previous.difference(&wanted) {
            forget(&mut inner.by_dependency, gone, parent);
        }
        for dependency in &wanted {
            inner
                .by_dependency
                .entry(dependency.clone())
                .or_default()
                .insert(parent.clone());
        }
        if !wanted.is_empty() {
            inner.by_parent.insert(parent.clone(), wanted);
        }
    }

    /// Forgets `parent`.
    pub fn remove(&self, parent: &Key) {
        self.set(parent, &[]);
    }

    /// The parents that depend on `dependency`, sorted.
    pub fn parents_of(&self, dependency: &Dependency) -> Vec<Key> {
        self.lock()
            .by_dependency
            .get(dependency)
            .map(|parents| parents.iter().cloned().collect())
            .unwrap_or_default()
    }
}

fn forget(
    by_dependency: &mut HashMap<Dependency, BTreeSet<Key>>,
    dependency: &Dependency,
    parent: &Key,
) {
    if let Some(parents) = by_dependency.get_mut(dependency) {
        parents.remove(parent);
        if parents.is_empty() {
            by_dependency.remove(dependency);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dependency(kind: &str, name: &str) -> Dependency {
        Dependency {
            api_version: "v1".into(),
            kind: kind.into(),
            namespace: "ns".into(),
            name: name.into(),
        }
    }

    #[test]
    fn parents_are_found_by_each_of_their_dependencies() {
        let index = DependentsIndex::default();
        let (a, b) = (Key::namespaced("ns", "a"), Key::namespaced("ns", "b"));
        index.set(
            &a,
            &[dependency("ConfigMap", "shared"), dependency("Secret", "s")],
        );
        index.set(&b, &[dependency("ConfigMap", "shared")]);
        assert_eq!(
            index.parents_of(&dependency("ConfigMap", "shared")),
            vec![a.clone(), b.clone()]
        );
        assert_eq!(index.parents_of(&dependency("Secret", "s")), vec![a]);
        assert!(index.parents_of(&dependency("Secret", "other")).is_empty());
    }

    #[test]
    fn a_new_set_replaces_the_previous_dependencies_of_a_parent() {
        let index = DependentsIndex::default();
        let a = Key::namespaced("ns", "a");
        index.set(
            &a,
            &[dependency("ConfigMap", "old"), dependency("Secret", "kept")],
        );
        index.set(
            &a,
            &[dependency("Secret", "kept"), dependency("ConfigMap", "new")],
        );
        assert!(index.parents_of(&dependency("ConfigMap", "old")).is_empty());
        assert_eq!(
            index.parents_of(&dependency("Secret", "kept")),
            vec![a.clone()]
        );
        assert_eq!(index.parents_of(&dependency("ConfigMap", "new")), vec![a]);
    }

    #[test]
    fn a_removed_parent_is_forgotten_everywhere() {
        let index = DependentsIndex::default();
        let (a, b) = (Key::namespaced("ns", "a"), Key::namespaced("ns", "b"));
        index.set(&a, &[dependency("ConfigMap", "shared")]);
        index.set(&b, &[dependency("ConfigMap", "shared")]);
        index.remove(&a);
        assert_eq!(
            index.parents_of(&dependency("ConfigMap", "shared")),
            vec![b.clone()]
        );
        index.remove(&b);
        assert!(index.lock().by_dependency.is_empty());
        assert!(index.lock().by_parent.is_empty());
    }
}
