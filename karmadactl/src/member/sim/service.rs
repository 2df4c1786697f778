//! The simulated cloud load balancer: a Service of type LoadBalancer gets one ingress IP, stable
//! for the member and the Service; a Service that stops being one loses it.
//!
//! Ownership: `status.loadBalancer` of every Service.

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};

use super::objects::{fnv, status_patch, terminating};
use super::plan::{Ctx, Kind, Plan, Snapshot};

/// The ingress IP of a LoadBalancer Service: `172.18.<member>.<service>`.
pub fn ingress_ip(member: &str, service_uid: &str) -> String {
    let m = fnv(member.as_bytes()) % 200 + 20;
    let s = fnv(service_uid.as_bytes()) % 250 + 2;
    format!("172.18.{m}.{s}")
}

pub fn desired_status(service: &Service, ctx: &Ctx) -> ServiceStatus {
    let mut status = service.status.clone().unwrap_or_default();
    let is_lb = service.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer");
    status.load_balancer = Some(LoadBalancerStatus {
        ingress: is_lb.then(|| {
            vec![LoadBalancerIngress {
                ip: Some(ingress_ip(
                    ctx.member,
                    service.metadata.uid.as_deref().unwrap_or_default(),
                )),
                ip_mode: Some("VIP".into()),
                ..LoadBalancerIngress::default()
            }]
        }),
    });
    status
}

pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for service in &snapshot.services {
        if terminating(&service.metadata) {
            continue;
        }
        let desired = desired_status(service, ctx);
        let has_ingress = service
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .is_some_and(|lb| lb.ingress.as_ref().is_some_and(|i| !i.is_empty()));
        let wants_ingress = desired
            .load_balancer
            .as_ref()
            .is_some_and(|lb| lb.ingress.is_some());
        if has_ingress || wants_ingress {
            plan.patch_status(
                Kind::Service,
                &service.metadata,
                status_patch(service.status.as_ref(), &desired),
            );
        }
    }
    plan
}
