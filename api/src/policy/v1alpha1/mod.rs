//! `policy.karmada.io/v1alpha1`: the policy kinds with Karmada's exact field names, enums, short
//! names and printer columns.
//!
//! Namespaced and cluster-scoped twins share one spec type: [`PropagationPolicy`] and
//! [`ClusterPropagationPolicy`] hold a [`PropagationSpec`], [`OverridePolicy`] and
//! [`ClusterOverridePolicy`] an [`OverrideSpec`]. The namespaced kind of each pair comes from
//! kube's `CustomResource` derive; its cluster-scoped twin is declared with
//! `cluster_scoped_twin!`, which gives it the same shape and the same CRD schema.

mod common;
#[cfg(test)]
mod fixtures;
mod overrides;
mod placement;
mod propagation;
mod quota;
pub(crate) mod schema;
mod taint;

pub use common::{ClusterAffinity, FieldSelector, ResourceSelector};
pub use overrides::*;
pub use placement::*;
pub use propagation::*;
pub use quota::*;
pub use taint::*;

/// The API group.
pub const GROUP: &str = "policy.karmada.io";
/// The API version.
pub const VERSION: &str = "v1alpha1";

/// Declares the cluster-scoped twin of a namespaced kind whose root was derived with
/// `#[derive(CustomResource)]` from the same spec type.
///
/// kube's derive makes one root type per spec type, so the twin is written out here: the same
/// fields (`metadata`, `spec`), the same wire format (`apiVersion` and `kind` written on
/// serialization, ignored on deserialization), `kube::Resource` with cluster scope, and a CRD that
/// is the namespaced kind's CRD renamed and made cluster-scoped, so the two schemas cannot drift.
macro_rules! cluster_scoped_twin {
    (
        $(#[$doc:meta])*
        $root:ident {
            spec: $spec:ty,
            namespaced: $namespaced:ty,
            plural: $plural:literal,
            singular: $singular:literal,
            shortname: $shortname:literal,
            description: $description:literal,
            spec_description: $spec_description:literal,
        }
    ) => {
        $(#[$doc])*
        #[derive(::serde::Deserialize, Clone, Debug, PartialEq)]
        #[serde(rename_all = "camelCase")]
        pub struct $root {
            /// Standard object metadata.
            pub metadata: ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            /// The desired behavior.
            pub spec: $spec,
        }

        impl $root {
            /// A new object named `name`.
            pub fn new(name: &str, spec: $spec) -> Self {
                Self {
                    metadata: ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(name.to_string()),
                        ..Default::default()
                    },
                    spec,
                }
            }
        }

        impl ::serde::Serialize for $root {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct;
                let mut object = serializer.serialize_struct(stringify!($root), 4)?;
                object.serialize_field(
                    "apiVersion",
                    &<$root as ::kube::Resource>::api_version(&()),
                )?;
                object.serialize_field("kind", stringify!($root))?;
                object.serialize_field("metadata", &self.metadata)?;
                object.serialize_field("spec", &self.spec)?;
                object.end()
            }
        }

        impl ::kube::Resource for $root {
            type DynamicType = ();
            type Scope = ::kube::core::ClusterResourceScope;

            fn kind(_: &()) -> ::std::borrow::Cow<'_, str> {
                stringify!($root).into()
            }

            fn group(_: &()) -> ::std::borrow::Cow<'_, str> {
                $crate::policy::v1alpha1::GROUP.into()
            }

            fn version(_: &()) -> ::std::borrow::Cow<'_, str> {
                $crate::policy::v1alpha1::VERSION.into()
            }

            fn plural(_: &()) -> ::std::borrow::Cow<'_, str> {
                $plural.into()
            }

            fn meta(&self) -> &::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }

            fn meta_mut(
                &mut self,
            ) -> &mut ::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }

        impl ::kube::core::object::HasSpec for $root {
            type Spec = $spec;

            fn spec(&self) -> &$spec {
                &self.spec
            }

            fn spec_mut(&mut self) -> &mut $spec {
                &mut self.spec
            }
        }

        impl ::kube::CustomResourceExt for $root {
            fn crd() -> ::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition {
                $crate::policy::v1alpha1::schema::cluster_scoped_crd(
                    <$namespaced as ::kube::CustomResourceExt>::crd(),
                    $crate::policy::v1alpha1::schema::TwinNames {
                        kind: stringify!($root),
                        plural: $plural,
                        singular: $singular,
                        short_name: $shortname,
                        description: $description,
                        spec_description: $spec_description,
                    },
                )
            }

            fn crd_name() -> &'static str {
                concat!($plural, ".policy.karmada.io")
            }

            fn api_resource() -> ::kube::core::ApiResource {
                ::kube::core::ApiResource::erase::<Self>(&())
            }

            fn shortnames() -> &'static [&'static str] {
                &[$shortname]
            }
        }
    };
}
pub(crate) use cluster_scoped_twin;
