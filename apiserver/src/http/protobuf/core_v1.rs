//! Protobuf field tables for `k8s.io/api/core/v1`. Data only: see `schema` for what the columns mean.

use super::meta_v1::{CONDITION, LABEL_SELECTOR, OBJECT_META};
use super::schema::Presence::{Always, Nullable, OmitEmpty, Optional};
use super::schema::Ty::{Bool, Bytes, I32, I64, IntOrString, MicroTime, Msg, Quantity, Str, Time};
use super::schema::{Message, field, inline, list, map, message};

pub(super) static CONFIG_MAP: Message = message! { "core/v1 ConfigMap" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    map(2, "data", Str, OmitEmpty),
    map(3, "binaryData", Bytes, OmitEmpty),
    field(4, "immutable", Bool, Optional),
}};

pub(super) static SECRET: Message = message! { "core/v1 Secret" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    map(2, "data", Bytes, OmitEmpty),
    field(3, "type", Str, OmitEmpty),
    map(4, "stringData", Str, OmitEmpty),
    field(5, "immutable", Bool, Optional),
}};

pub(super) static NAMESPACE: Message = message! { "core/v1 Namespace" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&NAMESPACE_SPEC), OmitEmpty),
    field(3, "status", Msg(&NAMESPACE_STATUS), OmitEmpty),
}};

pub(super) static NAMESPACE_SPEC: Message = message! { "core/v1 NamespaceSpec" {
    list(1, "finalizers", Str, OmitEmpty),
}};

pub(super) static NAMESPACE_STATUS: Message = message! { "core/v1 NamespaceStatus" {
    field(1, "phase", Str, OmitEmpty),
    list(2, "conditions", Msg(&NAMESPACE_CONDITION), OmitEmpty),
}};

pub(super) static NAMESPACE_CONDITION: Message = message! { "core/v1 NamespaceCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(4, "lastTransitionTime", Time, OmitEmpty),
    field(5, "reason", Str, OmitEmpty),
    field(6, "message", Str, OmitEmpty),
}};

pub(super) static SERVICE: Message = message! { "core/v1 Service" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&SERVICE_SPEC), OmitEmpty),
    field(3, "status", Msg(&SERVICE_STATUS), OmitEmpty),
}};

pub(super) static SERVICE_SPEC: Message = message! { "core/v1 ServiceSpec" {
    list(1, "ports", Msg(&SERVICE_PORT), OmitEmpty),
    map(2, "selector", Str, OmitEmpty),
    field(3, "clusterIP", Str, OmitEmpty),
    field(4, "type", Str, OmitEmpty),
    list(5, "externalIPs", Str, OmitEmpty),
    field(7, "sessionAffinity", Str, OmitEmpty),
    field(8, "loadBalancerIP", Str, OmitEmpty),
    list(9, "loadBalancerSourceRanges", Str, OmitEmpty),
    field(10, "externalName", Str, OmitEmpty),
    field(11, "externalTrafficPolicy", Str, OmitEmpty),
    field(12, "healthCheckNodePort", I32, OmitEmpty),
    field(13, "publishNotReadyAddresses", Bool, OmitEmpty),
    field(14, "sessionAffinityConfig", Msg(&SESSION_AFFINITY_CONFIG), Optional),
    field(17, "ipFamilyPolicy", Str, Optional),
    list(18, "clusterIPs", Str, OmitEmpty),
    list(19, "ipFamilies", Str, OmitEmpty),
    field(20, "allocateLoadBalancerNodePorts", Bool, Optional),
    field(21, "loadBalancerClass", Str, Optional),
    field(22, "internalTrafficPolicy", Str, Optional),
    field(23, "trafficDistribution", Str, Optional),
}};

pub(super) static SERVICE_PORT: Message = message! { "core/v1 ServicePort" {
    field(1, "name", Str, OmitEmpty),
    field(2, "protocol", Str, OmitEmpty),
    field(3, "port", I32, Always),
    field(4, "targetPort", IntOrString, OmitEmpty),
    field(5, "nodePort", I32, OmitEmpty),
    field(6, "appProtocol", Str, Optional),
}};

pub(super) static SESSION_AFFINITY_CONFIG: Message = message! { "core/v1 SessionAffinityConfig" {
    field(1, "clientIP", Msg(&CLIENT_IP_CONFIG), Optional),
}};

pub(super) static CLIENT_IP_CONFIG: Message = message! { "core/v1 ClientIPConfig" {
    field(1, "timeoutSeconds", I32, Optional),
}};

pub(super) static SERVICE_STATUS: Message = message! { "core/v1 ServiceStatus" {
    field(1, "loadBalancer", Msg(&LOAD_BALANCER_STATUS), OmitEmpty),
    list(2, "conditions", Msg(&CONDITION), OmitEmpty),
}};

pub(super) static LOAD_BALANCER_STATUS: Message = message! { "core/v1 LoadBalancerStatus" {
    list(1, "ingress", Msg(&LOAD_BALANCER_INGRESS), OmitEmpty),
}};

pub(super) static LOAD_BALANCER_INGRESS: Message = message! { "core/v1 LoadBalancerIngress" {
    field(1, "ip", Str, OmitEmpty),
    field(2, "hostname", Str, OmitEmpty),
    field(3, "ipMode", Str, Optional),
    list(4, "ports", Msg(&PORT_STATUS), OmitEmpty),
}};

pub(super) static PORT_STATUS: Message = message! { "core/v1 PortStatus" {
    field(1, "port", I32, Always),
    field(2, "protocol", Str, Always),
    field(3, "error", Str, Optional),
}};

pub(super) static SERVICE_ACCOUNT: Message = message! { "core/v1 ServiceAccount" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    list(2, "secrets", Msg(&OBJECT_REFERENCE), OmitEmpty),
    list(3, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE), OmitEmpty),
    field(4, "automountServiceAccountToken", Bool, Optional),
}};

pub(super) static OBJECT_REFERENCE: Message = message! { "core/v1 ObjectReference" {
    field(1, "kind", Str, OmitEmpty),
    field(2, "namespace", Str, OmitEmpty),
    field(3, "name", Str, OmitEmpty),
    field(4, "uid", Str, OmitEmpty),
    field(5, "apiVersion", Str, OmitEmpty),
    field(6, "resourceVersion", Str, OmitEmpty),
    field(7, "fieldPath", Str, OmitEmpty),
}};

pub(super) static LOCAL_OBJECT_REFERENCE: Message = message! { "core/v1 LocalObjectReference" {
    field(1, "name", Str, OmitEmpty),
}};

pub(super) static POD: Message = message! { "core/v1 Pod" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&POD_SPEC), OmitEmpty),
    field(3, "status", Msg(&POD_STATUS), OmitEmpty),
}};

pub(super) static POD_SPEC: Message = message! { "core/v1 PodSpec" {
    list(1, "volumes", Msg(&VOLUME), OmitEmpty),
    list(2, "containers", Msg(&CONTAINER), Nullable),
    field(3, "restartPolicy", Str, OmitEmpty),
    field(4, "terminationGracePeriodSeconds", I64, Optional),
    field(5, "activeDeadlineSeconds", I64, Optional),
    field(6, "dnsPolicy", Str, OmitEmpty),
    map(7, "nodeSelector", Str, OmitEmpty),
    field(8, "serviceAccountName", Str, OmitEmpty),
    field(9, "serviceAccount", Str, OmitEmpty),
    field(10, "nodeName", Str, OmitEmpty),
    field(11, "hostNetwork", Bool, OmitEmpty),
    field(12, "hostPID", Bool, OmitEmpty),
    field(13, "hostIPC", Bool, OmitEmpty),
    field(14, "securityContext", Msg(&POD_SECURITY_CONTEXT), Optional),
    list(15, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE), OmitEmpty),
    field(16, "hostname", Str, OmitEmpty),
    field(17, "subdomain", Str, OmitEmpty),
    field(18, "affinity", Msg(&AFFINITY), Optional),
    field(19, "schedulerName", Str, OmitEmpty),
    list(20, "initContainers", Msg(&CONTAINER), OmitEmpty),
    field(21, "automountServiceAccountToken", Bool, Optional),
    list(22, "tolerations", Msg(&TOLERATION), OmitEmpty),
    list(23, "hostAliases", Msg(&HOST_ALIAS), OmitEmpty),
    field(24, "priorityClassName", Str, OmitEmpty),
    field(25, "priority", I32, Optional),
    field(26, "dnsConfig", Msg(&POD_DNS_CONFIG), Optional),
    field(27, "shareProcessNamespace", Bool, Optional),
    list(28, "readinessGates", Msg(&POD_READINESS_GATE), OmitEmpty),
    field(29, "runtimeClassName", Str, Optional),
    field(30, "enableServiceLinks", Bool, Optional),
    field(31, "preemptionPolicy", Str, Optional),
    map(32, "overhead", Quantity, OmitEmpty),
    list(33, "topologySpreadConstraints", Msg(&TOPOLOGY_SPREAD_CONSTRAINT), OmitEmpty),
    list(34, "ephemeralContainers", Msg(&EPHEMERAL_CONTAINER), OmitEmpty),
    field(35, "setHostnameAsFQDN", Bool, Optional),
    field(36, "os", Msg(&POD_OS), Optional),
    field(37, "hostUsers", Bool, Optional),
    list(38, "schedulingGates", Msg(&POD_SCHEDULING_GATE), OmitEmpty),
    list(39, "resourceClaims", Msg(&POD_RESOURCE_CLAIM), OmitEmpty),
    field(40, "resources", Msg(&RESOURCE_REQUIREMENTS), Optional),
    field(41, "hostnameOverride", Str, Optional),
    field(43, "schedulingGroup", Msg(&POD_SCHEDULING_GROUP), Optional),
}};

pub(super) static VOLUME: Message = message! { "core/v1 Volume" {
    field(1, "name", Str, Always),
    inline(2, Msg(&VOLUME_SOURCE)),
}};

pub(super) static VOLUME_SOURCE: Message = message! { "core/v1 VolumeSource" {
    field(1, "hostPath", Msg(&HOST_PATH_VOLUME_SOURCE), Optional),
    field(2, "emptyDir", Msg(&EMPTY_DIR_VOLUME_SOURCE), Optional),
    field(3, "gcePersistentDisk", Msg(&GCE_PERSISTENT_DISK_VOLUME_SOURCE), Optional),
    field(4, "awsElasticBlockStore", Msg(&AWS_ELASTIC_BLOCK_STORE_VOLUME_SOURCE), Optional),
    field(5, "gitRepo", Msg(&GIT_REPO_VOLUME_SOURCE), Optional),
    field(6, "secret", Msg(&SECRET_VOLUME_SOURCE), Optional),
    field(7, "nfs", Msg(&NFS_VOLUME_SOURCE), Optional),
    field(8, "iscsi", Msg(&ISCSI_VOLUME_SOURCE), Optional),
    field(9, "glusterfs", Msg(&GLUSTERFS_VOLUME_SOURCE), Optional),
    field(10, "persistentVolumeClaim", Msg(&PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE), Optional),
    field(11, "rbd", Msg(&RBD_VOLUME_SOURCE), Optional),
    field(12, "flexVolume", Msg(&FLEX_VOLUME_SOURCE), Optional),
    field(13, "cinder", Msg(&CINDER_VOLUME_SOURCE), Optional),
    field(14, "cephfs", Msg(&CEPH_FS_VOLUME_SOURCE), Optional),
    field(15, "flocker", Msg(&FLOCKER_VOLUME_SOURCE), Optional),
    field(16, "downwardAPI", Msg(&DOWNWARD_API_VOLUME_SOURCE), Optional),
    field(17, "fc", Msg(&FC_VOLUME_SOURCE), Optional),
    field(18, "azureFile", Msg(&AZURE_FILE_VOLUME_SOURCE), Optional),
    field(19, "configMap", Msg(&CONFIG_MAP_VOLUME_SOURCE), Optional),
    field(20, "vsphereVolume", Msg(&VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE), Optional),
    field(21, "quobyte", Msg(&QUOBYTE_VOLUME_SOURCE), Optional),
    field(22, "azureDisk", Msg(&AZURE_DISK_VOLUME_SOURCE), Optional),
    field(23, "photonPersistentDisk", Msg(&PHOTON_PERSISTENT_DISK_VOLUME_SOURCE), Optional),
    field(24, "portworxVolume", Msg(&PORTWORX_VOLUME_SOURCE), Optional),
    field(25, "scaleIO", Msg(&SCALE_IO_VOLUME_SOURCE), Optional),
    field(26, "projected", Msg(&PROJECTED_VOLUME_SOURCE), Optional),
    field(27, "storageos", Msg(&STORAGE_OS_VOLUME_SOURCE), Optional),
    field(28, "csi", Msg(&CSI_VOLUME_SOURCE), Optional),
    field(29, "ephemeral", Msg(&EPHEMERAL_VOLUME_SOURCE), Optional),
    field(30, "image", Msg(&IMAGE_VOLUME_SOURCE), Optional),
}};

pub(super) static HOST_PATH_VOLUME_SOURCE: Message = message! { "core/v1 HostPathVolumeSource" {
    field(1, "path", Str, Always),
    field(2, "type", Str, Optional),
}};

pub(super) static EMPTY_DIR_VOLUME_SOURCE: Message = message! { "core/v1 EmptyDirVolumeSource" {
    field(1, "medium", Str, OmitEmpty),
    field(2, "sizeLimit", Quantity, Optional),
}};

pub(super) static GCE_PERSISTENT_DISK_VOLUME_SOURCE: Message = message! { "core/v1 GCEPersistentDiskVolumeSource" {
    field(1, "pdName", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "partition", I32, OmitEmpty),
    field(4, "readOnly", Bool, OmitEmpty),
}};

pub(super) static AWS_ELASTIC_BLOCK_STORE_VOLUME_SOURCE: Message = message! { "core/v1 AWSElasticBlockStoreVolumeSource" {
    field(1, "volumeID", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "partition", I32, OmitEmpty),
    field(4, "readOnly", Bool, OmitEmpty),
}};

pub(super) static GIT_REPO_VOLUME_SOURCE: Message = message! { "core/v1 GitRepoVolumeSource" {
    field(1, "repository", Str, Always),
    field(2, "revision", Str, OmitEmpty),
    field(3, "directory", Str, OmitEmpty),
}};

pub(super) static SECRET_VOLUME_SOURCE: Message = message! { "core/v1 SecretVolumeSource" {
    field(1, "secretName", Str, OmitEmpty),
    list(2, "items", Msg(&KEY_TO_PATH), OmitEmpty),
    field(3, "defaultMode", I32, Optional),
    field(4, "optional", Bool, Optional),
}};

pub(super) static KEY_TO_PATH: Message = message! { "core/v1 KeyToPath" {
    field(1, "key", Str, Always),
    field(2, "path", Str, Always),
    field(3, "mode", I32, Optional),
}};

pub(super) static NFS_VOLUME_SOURCE: Message = message! { "core/v1 NFSVolumeSource" {
    field(1, "server", Str, Always),
    field(2, "path", Str, Always),
    field(3, "readOnly", Bool, OmitEmpty),
}};

pub(super) static ISCSI_VOLUME_SOURCE: Message = message! { "core/v1 ISCSIVolumeSource" {
    field(1, "targetPortal", Str, Always),
    field(2, "iqn", Str, Always),
    field(3, "lun", I32, Always),
    field(4, "iscsiInterface", Str, OmitEmpty),
    field(5, "fsType", Str, OmitEmpty),
    field(6, "readOnly", Bool, OmitEmpty),
    list(7, "portals", Str, OmitEmpty),
    field(8, "chapAuthDiscovery", Bool, OmitEmpty),
    field(10, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
    field(11, "chapAuthSession", Bool, OmitEmpty),
    field(12, "initiatorName", Str, Optional),
}};

pub(super) static GLUSTERFS_VOLUME_SOURCE: Message = message! { "core/v1 GlusterfsVolumeSource" {
    field(1, "endpoints", Str, Always),
    field(2, "path", Str, Always),
    field(3, "readOnly", Bool, OmitEmpty),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE: Message = message! { "core/v1 PersistentVolumeClaimVolumeSource" {
    field(1, "claimName", Str, Always),
    field(2, "readOnly", Bool, OmitEmpty),
}};

pub(super) static RBD_VOLUME_SOURCE: Message = message! { "core/v1 RBDVolumeSource" {
    list(1, "monitors", Str, Nullable),
    field(2, "image", Str, Always),
    field(3, "fsType", Str, OmitEmpty),
    field(4, "pool", Str, OmitEmpty),
    field(5, "user", Str, OmitEmpty),
    field(6, "keyring", Str, OmitEmpty),
    field(7, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
    field(8, "readOnly", Bool, OmitEmpty),
}};

pub(super) static FLEX_VOLUME_SOURCE: Message = message! { "core/v1 FlexVolumeSource" {
    field(1, "driver", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
    field(4, "readOnly", Bool, OmitEmpty),
    map(5, "options", Str, OmitEmpty),
}};

pub(super) static CINDER_VOLUME_SOURCE: Message = message! { "core/v1 CinderVolumeSource" {
    field(1, "volumeID", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "readOnly", Bool, OmitEmpty),
    field(4, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
}};

pub(super) static CEPH_FS_VOLUME_SOURCE: Message = message! { "core/v1 CephFSVolumeSource" {
    list(1, "monitors", Str, Nullable),
    field(2, "path", Str, OmitEmpty),
    field(3, "user", Str, OmitEmpty),
    field(4, "secretFile", Str, OmitEmpty),
    field(5, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
    field(6, "readOnly", Bool, OmitEmpty),
}};

pub(super) static FLOCKER_VOLUME_SOURCE: Message = message! { "core/v1 FlockerVolumeSource" {
    field(1, "datasetName", Str, OmitEmpty),
    field(2, "datasetUUID", Str, OmitEmpty),
}};

pub(super) static DOWNWARD_API_VOLUME_SOURCE: Message = message! { "core/v1 DownwardAPIVolumeSource" {
    list(1, "items", Msg(&DOWNWARD_API_VOLUME_FILE), OmitEmpty),
    field(2, "defaultMode", I32, Optional),
}};

pub(super) static DOWNWARD_API_VOLUME_FILE: Message = message! { "core/v1 DownwardAPIVolumeFile" {
    field(1, "path", Str, Always),
    field(2, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR), Optional),
    field(3, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR), Optional),
    field(4, "mode", I32, Optional),
}};

pub(super) static OBJECT_FIELD_SELECTOR: Message = message! { "core/v1 ObjectFieldSelector" {
    field(1, "apiVersion", Str, OmitEmpty),
    field(2, "fieldPath", Str, Always),
}};

pub(super) static RESOURCE_FIELD_SELECTOR: Message = message! { "core/v1 ResourceFieldSelector" {
    field(1, "containerName", Str, OmitEmpty),
    field(2, "resource", Str, Always),
    field(3, "divisor", Quantity, OmitEmpty),
}};

pub(super) static FC_VOLUME_SOURCE: Message = message! { "core/v1 FCVolumeSource" {
    list(1, "targetWWNs", Str, OmitEmpty),
    field(2, "lun", I32, Optional),
    field(3, "fsType", Str, OmitEmpty),
    field(4, "readOnly", Bool, OmitEmpty),
    list(5, "wwids", Str, OmitEmpty),
}};

pub(super) static AZURE_FILE_VOLUME_SOURCE: Message = message! { "core/v1 AzureFileVolumeSource" {
    field(1, "secretName", Str, Always),
    field(2, "shareName", Str, Always),
    field(3, "readOnly", Bool, OmitEmpty),
}};

pub(super) static CONFIG_MAP_VOLUME_SOURCE: Message = message! { "core/v1 ConfigMapVolumeSource" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    list(2, "items", Msg(&KEY_TO_PATH), OmitEmpty),
    field(3, "defaultMode", I32, Optional),
    field(4, "optional", Bool, Optional),
}};

pub(super) static VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE: Message = message! { "core/v1 VsphereVirtualDiskVolumeSource" {
    field(1, "volumePath", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "storagePolicyName", Str, OmitEmpty),
    field(4, "storagePolicyID", Str, OmitEmpty),
}};

pub(super) static QUOBYTE_VOLUME_SOURCE: Message = message! { "core/v1 QuobyteVolumeSource" {
    field(1, "registry", Str, Always),
    field(2, "volume", Str, Always),
    field(3, "readOnly", Bool, OmitEmpty),
    field(4, "user", Str, OmitEmpty),
    field(5, "group", Str, OmitEmpty),
    field(6, "tenant", Str, OmitEmpty),
}};

pub(super) static AZURE_DISK_VOLUME_SOURCE: Message = message! { "core/v1 AzureDiskVolumeSource" {
    field(1, "diskName", Str, Always),
    field(2, "diskURI", Str, Always),
    field(3, "cachingMode", Str, Optional),
    field(4, "fsType", Str, Optional),
    field(5, "readOnly", Bool, Optional),
    field(6, "kind", Str, Optional),
}};

pub(super) static PHOTON_PERSISTENT_DISK_VOLUME_SOURCE: Message = message! { "core/v1 PhotonPersistentDiskVolumeSource" {
    field(1, "pdID", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
}};

pub(super) static PROJECTED_VOLUME_SOURCE: Message = message! { "core/v1 ProjectedVolumeSource" {
    list(1, "sources", Msg(&VOLUME_PROJECTION), Nullable),
    field(2, "defaultMode", I32, Optional),
}};

pub(super) static VOLUME_PROJECTION: Message = message! { "core/v1 VolumeProjection" {
    field(1, "secret", Msg(&SECRET_PROJECTION), Optional),
    field(2, "downwardAPI", Msg(&DOWNWARD_API_PROJECTION), Optional),
    field(3, "configMap", Msg(&CONFIG_MAP_PROJECTION), Optional),
    field(4, "serviceAccountToken", Msg(&SERVICE_ACCOUNT_TOKEN_PROJECTION), Optional),
    field(5, "clusterTrustBundle", Msg(&CLUSTER_TRUST_BUNDLE_PROJECTION), Optional),
    field(6, "podCertificate", Msg(&POD_CERTIFICATE_PROJECTION), Optional),
}};

pub(super) static SECRET_PROJECTION: Message = message! { "core/v1 SecretProjection" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    list(2, "items", Msg(&KEY_TO_PATH), OmitEmpty),
    field(4, "optional", Bool, Optional),
}};

pub(super) static DOWNWARD_API_PROJECTION: Message = message! { "core/v1 DownwardAPIProjection" {
    list(1, "items", Msg(&DOWNWARD_API_VOLUME_FILE), OmitEmpty),
}};

pub(super) static CONFIG_MAP_PROJECTION: Message = message! { "core/v1 ConfigMapProjection" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    list(2, "items", Msg(&KEY_TO_PATH), OmitEmpty),
    field(4, "optional", Bool, Optional),
}};

pub(super) static SERVICE_ACCOUNT_TOKEN_PROJECTION: Message = message! { "core/v1 ServiceAccountTokenProjection" {
    field(1, "audience", Str, OmitEmpty),
    field(2, "expirationSeconds", I64, Optional),
    field(3, "path", Str, Always),
}};

pub(super) static CLUSTER_TRUST_BUNDLE_PROJECTION: Message = message! { "core/v1 ClusterTrustBundleProjection" {
    field(1, "name", Str, Optional),
    field(2, "signerName", Str, Optional),
    field(3, "labelSelector", Msg(&LABEL_SELECTOR), Optional),
    field(4, "path", Str, Always),
    field(5, "optional", Bool, Optional),
}};

pub(super) static POD_CERTIFICATE_PROJECTION: Message = message! { "core/v1 PodCertificateProjection" {
    field(1, "signerName", Str, OmitEmpty),
    field(2, "keyType", Str, OmitEmpty),
    field(3, "maxExpirationSeconds", I32, Optional),
    field(4, "credentialBundlePath", Str, OmitEmpty),
    field(5, "keyPath", Str, OmitEmpty),
    field(6, "certificateChainPath", Str, OmitEmpty),
    map(7, "userAnnotations", Str, OmitEmpty),
}};

pub(super) static PORTWORX_VOLUME_SOURCE: Message = message! { "core/v1 PortworxVolumeSource" {
    field(1, "volumeID", Str, Always),
    field(2, "fsType", Str, OmitEmpty),
    field(3, "readOnly", Bool, OmitEmpty),
}};

pub(super) static SCALE_IO_VOLUME_SOURCE: Message = message! { "core/v1 ScaleIOVolumeSource" {
    field(1, "gateway", Str, Always),
    field(2, "system", Str, Always),
    field(3, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Nullable),
    field(4, "sslEnabled", Bool, OmitEmpty),
    field(5, "protectionDomain", Str, OmitEmpty),
    field(6, "storagePool", Str, OmitEmpty),
    field(7, "storageMode", Str, OmitEmpty),
    field(8, "volumeName", Str, OmitEmpty),
    field(9, "fsType", Str, OmitEmpty),
    field(10, "readOnly", Bool, OmitEmpty),
}};

pub(super) static STORAGE_OS_VOLUME_SOURCE: Message = message! { "core/v1 StorageOSVolumeSource" {
    field(1, "volumeName", Str, OmitEmpty),
    field(2, "volumeNamespace", Str, OmitEmpty),
    field(3, "fsType", Str, OmitEmpty),
    field(4, "readOnly", Bool, OmitEmpty),
    field(5, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
}};

pub(super) static CSI_VOLUME_SOURCE: Message = message! { "core/v1 CSIVolumeSource" {
    field(1, "driver", Str, Always),
    field(2, "readOnly", Bool, Optional),
    field(3, "fsType", Str, Optional),
    map(4, "volumeAttributes", Str, OmitEmpty),
    field(5, "nodePublishSecretRef", Msg(&LOCAL_OBJECT_REFERENCE), Optional),
}};

pub(super) static EPHEMERAL_VOLUME_SOURCE: Message = message! { "core/v1 EphemeralVolumeSource" {
    field(1, "volumeClaimTemplate", Msg(&PERSISTENT_VOLUME_CLAIM_TEMPLATE), Optional),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM_TEMPLATE: Message = message! { "core/v1 PersistentVolumeClaimTemplate" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC), Always),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM_SPEC: Message = message! { "core/v1 PersistentVolumeClaimSpec" {
    list(1, "accessModes", Str, OmitEmpty),
    field(2, "resources", Msg(&VOLUME_RESOURCE_REQUIREMENTS), OmitEmpty),
    field(3, "volumeName", Str, OmitEmpty),
    field(4, "selector", Msg(&LABEL_SELECTOR), Optional),
    field(5, "storageClassName", Str, Optional),
    field(6, "volumeMode", Str, Optional),
    field(7, "dataSource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE), Optional),
    field(8, "dataSourceRef", Msg(&TYPED_OBJECT_REFERENCE), Optional),
    field(9, "volumeAttributesClassName", Str, Optional),
}};

pub(super) static VOLUME_RESOURCE_REQUIREMENTS: Message = message! { "core/v1 VolumeResourceRequirements" {
    map(1, "limits", Quantity, OmitEmpty),
    map(2, "requests", Quantity, OmitEmpty),
}};

pub(super) static TYPED_LOCAL_OBJECT_REFERENCE: Message = message! { "core/v1 TypedLocalObjectReference" {
    field(1, "apiGroup", Str, Nullable),
    field(2, "kind", Str, Always),
    field(3, "name", Str, Always),
}};

pub(super) static TYPED_OBJECT_REFERENCE: Message = message! { "core/v1 TypedObjectReference" {
    field(1, "apiGroup", Str, Nullable),
    field(2, "kind", Str, Always),
    field(3, "name", Str, Always),
    field(4, "namespace", Str, Optional),
}};

pub(super) static IMAGE_VOLUME_SOURCE: Message = message! { "core/v1 ImageVolumeSource" {
    field(1, "reference", Str, OmitEmpty),
    field(2, "pullPolicy", Str, OmitEmpty),
}};

pub(super) static CONTAINER: Message = message! { "core/v1 Container" {
    field(1, "name", Str, Always),
    field(2, "image", Str, OmitEmpty),
    list(3, "command", Str, OmitEmpty),
    list(4, "args", Str, OmitEmpty),
    field(5, "workingDir", Str, OmitEmpty),
    list(6, "ports", Msg(&CONTAINER_PORT), OmitEmpty),
    list(7, "env", Msg(&ENV_VAR), OmitEmpty),
    field(8, "resources", Msg(&RESOURCE_REQUIREMENTS), OmitEmpty),
    list(9, "volumeMounts", Msg(&VOLUME_MOUNT), OmitEmpty),
    field(10, "livenessProbe", Msg(&PROBE), Optional),
    field(11, "readinessProbe", Msg(&PROBE), Optional),
    field(12, "lifecycle", Msg(&LIFECYCLE), Optional),
    field(13, "terminationMessagePath", Str, OmitEmpty),
    field(14, "imagePullPolicy", Str, OmitEmpty),
    field(15, "securityContext", Msg(&SECURITY_CONTEXT), Optional),
    field(16, "stdin", Bool, OmitEmpty),
    field(17, "stdinOnce", Bool, OmitEmpty),
    field(18, "tty", Bool, OmitEmpty),
    list(19, "envFrom", Msg(&ENV_FROM_SOURCE), OmitEmpty),
    field(20, "terminationMessagePolicy", Str, OmitEmpty),
    list(21, "volumeDevices", Msg(&VOLUME_DEVICE), OmitEmpty),
    field(22, "startupProbe", Msg(&PROBE), Optional),
    list(23, "resizePolicy", Msg(&CONTAINER_RESIZE_POLICY), OmitEmpty),
    field(24, "restartPolicy", Str, Optional),
    list(25, "restartPolicyRules", Msg(&CONTAINER_RESTART_RULE), OmitEmpty),
}};

pub(super) static CONTAINER_PORT: Message = message! { "core/v1 ContainerPort" {
    field(1, "name", Str, OmitEmpty),
    field(2, "hostPort", I32, OmitEmpty),
    field(3, "containerPort", I32, Always),
    field(4, "protocol", Str, OmitEmpty),
    field(5, "hostIP", Str, OmitEmpty),
}};

pub(super) static ENV_FROM_SOURCE: Message = message! { "core/v1 EnvFromSource" {
    field(1, "prefix", Str, OmitEmpty),
    field(2, "configMapRef", Msg(&CONFIG_MAP_ENV_SOURCE), Optional),
    field(3, "secretRef", Msg(&SECRET_ENV_SOURCE), Optional),
}};

pub(super) static CONFIG_MAP_ENV_SOURCE: Message = message! { "core/v1 ConfigMapEnvSource" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    field(2, "optional", Bool, Optional),
}};

pub(super) static SECRET_ENV_SOURCE: Message = message! { "core/v1 SecretEnvSource" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    field(2, "optional", Bool, Optional),
}};

pub(super) static ENV_VAR: Message = message! { "core/v1 EnvVar" {
    field(1, "name", Str, Always),
    field(2, "value", Str, OmitEmpty),
    field(3, "valueFrom", Msg(&ENV_VAR_SOURCE), Optional),
}};

pub(super) static ENV_VAR_SOURCE: Message = message! { "core/v1 EnvVarSource" {
    field(1, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR), Optional),
    field(2, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR), Optional),
    field(3, "configMapKeyRef", Msg(&CONFIG_MAP_KEY_SELECTOR), Optional),
    field(4, "secretKeyRef", Msg(&SECRET_KEY_SELECTOR), Optional),
    field(5, "fileKeyRef", Msg(&FILE_KEY_SELECTOR), Optional),
}};

pub(super) static CONFIG_MAP_KEY_SELECTOR: Message = message! { "core/v1 ConfigMapKeySelector" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    field(2, "key", Str, Always),
    field(3, "optional", Bool, Optional),
}};

pub(super) static SECRET_KEY_SELECTOR: Message = message! { "core/v1 SecretKeySelector" {
    inline(1, Msg(&LOCAL_OBJECT_REFERENCE)),
    field(2, "key", Str, Always),
    field(3, "optional", Bool, Optional),
}};

pub(super) static FILE_KEY_SELECTOR: Message = message! { "core/v1 FileKeySelector" {
    field(1, "volumeName", Str, Always),
    field(2, "path", Str, Always),
    field(3, "key", Str, Always),
    field(4, "optional", Bool, Optional),
}};

pub(super) static RESOURCE_REQUIREMENTS: Message = message! { "core/v1 ResourceRequirements" {
    map(1, "limits", Quantity, OmitEmpty),
    map(2, "requests", Quantity, OmitEmpty),
    list(3, "claims", Msg(&RESOURCE_CLAIM), OmitEmpty),
}};

pub(super) static RESOURCE_CLAIM: Message = message! { "core/v1 ResourceClaim" {
    field(1, "name", Str, Always),
    field(2, "request", Str, OmitEmpty),
}};

pub(super) static CONTAINER_RESIZE_POLICY: Message = message! { "core/v1 ContainerResizePolicy" {
    field(1, "resourceName", Str, Always),
    field(2, "restartPolicy", Str, Always),
}};

pub(super) static CONTAINER_RESTART_RULE: Message = message! { "core/v1 ContainerRestartRule" {
    field(1, "action", Str, OmitEmpty),
    field(2, "exitCodes", Msg(&CONTAINER_RESTART_RULE_ON_EXIT_CODES), Optional),
}};

pub(super) static CONTAINER_RESTART_RULE_ON_EXIT_CODES: Message = message! { "core/v1 ContainerRestartRuleOnExitCodes" {
    field(1, "operator", Str, OmitEmpty),
    list(2, "values", I32, OmitEmpty),
}};

pub(super) static VOLUME_MOUNT: Message = message! { "core/v1 VolumeMount" {
    field(1, "name", Str, Always),
    field(2, "readOnly", Bool, OmitEmpty),
    field(3, "mountPath", Str, Always),
    field(4, "subPath", Str, OmitEmpty),
    field(5, "mountPropagation", Str, Optional),
    field(6, "subPathExpr", Str, OmitEmpty),
    field(7, "recursiveReadOnly", Str, Optional),
}};

pub(super) static VOLUME_DEVICE: Message = message! { "core/v1 VolumeDevice" {
    field(1, "name", Str, Always),
    field(2, "devicePath", Str, Always),
}};

pub(super) static PROBE: Message = message! { "core/v1 Probe" {
    inline(1, Msg(&PROBE_HANDLER)),
    field(2, "initialDelaySeconds", I32, OmitEmpty),
    field(3, "timeoutSeconds", I32, OmitEmpty),
    field(4, "periodSeconds", I32, OmitEmpty),
    field(5, "successThreshold", I32, OmitEmpty),
    field(6, "failureThreshold", I32, OmitEmpty),
    field(7, "terminationGracePeriodSeconds", I64, Optional),
}};

pub(super) static PROBE_HANDLER: Message = message! { "core/v1 ProbeHandler" {
    field(1, "exec", Msg(&EXEC_ACTION), Optional),
    field(2, "httpGet", Msg(&HTTP_GET_ACTION), Optional),
    field(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION), Optional),
    field(4, "grpc", Msg(&GRPC_ACTION), Optional),
}};

pub(super) static EXEC_ACTION: Message = message! { "core/v1 ExecAction" {
    list(1, "command", Str, OmitEmpty),
}};

pub(super) static HTTP_GET_ACTION: Message = message! { "core/v1 HTTPGetAction" {
    field(1, "path", Str, OmitEmpty),
    field(2, "port", IntOrString, Always),
    field(3, "host", Str, OmitEmpty),
    field(4, "scheme", Str, OmitEmpty),
    list(5, "httpHeaders", Msg(&HTTP_HEADER), OmitEmpty),
}};

pub(super) static HTTP_HEADER: Message = message! { "core/v1 HTTPHeader" {
    field(1, "name", Str, Always),
    field(2, "value", Str, Always),
}};

pub(super) static TCP_SOCKET_ACTION: Message = message! { "core/v1 TCPSocketAction" {
    field(1, "port", IntOrString, Always),
    field(2, "host", Str, OmitEmpty),
}};

pub(super) static GRPC_ACTION: Message = message! { "core/v1 GRPCAction" {
    field(1, "port", I32, Always),
    field(2, "service", Str, Nullable),
}};

pub(super) static LIFECYCLE: Message = message! { "core/v1 Lifecycle" {
    field(1, "postStart", Msg(&LIFECYCLE_HANDLER), Optional),
    field(2, "preStop", Msg(&LIFECYCLE_HANDLER), Optional),
    field(3, "stopSignal", Str, Optional),
}};

pub(super) static LIFECYCLE_HANDLER: Message = message! { "core/v1 LifecycleHandler" {
    field(1, "exec", Msg(&EXEC_ACTION), Optional),
    field(2, "httpGet", Msg(&HTTP_GET_ACTION), Optional),
    field(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION), Optional),
    field(4, "sleep", Msg(&SLEEP_ACTION), Optional),
}};

pub(super) static SLEEP_ACTION: Message = message! { "core/v1 SleepAction" {
    field(1, "seconds", I64, Always),
}};

pub(super) static SECURITY_CONTEXT: Message = message! { "core/v1 SecurityContext" {
    field(1, "capabilities", Msg(&CAPABILITIES), Optional),
    field(2, "privileged", Bool, Optional),
    field(3, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS), Optional),
    field(4, "runAsUser", I64, Optional),
    field(5, "runAsNonRoot", Bool, Optional),
    field(6, "readOnlyRootFilesystem", Bool, Optional),
    field(7, "allowPrivilegeEscalation", Bool, Optional),
    field(8, "runAsGroup", I64, Optional),
    field(9, "procMount", Str, Optional),
    field(10, "windowsOptions", Msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS), Optional),
    field(11, "seccompProfile", Msg(&SECCOMP_PROFILE), Optional),
    field(12, "appArmorProfile", Msg(&APP_ARMOR_PROFILE), Optional),
}};

pub(super) static CAPABILITIES: Message = message! { "core/v1 Capabilities" {
    list(1, "add", Str, OmitEmpty),
    list(2, "drop", Str, OmitEmpty),
}};

pub(super) static SE_LINUX_OPTIONS: Message = message! { "core/v1 SELinuxOptions" {
    field(1, "user", Str, OmitEmpty),
    field(2, "role", Str, OmitEmpty),
    field(3, "type", Str, OmitEmpty),
    field(4, "level", Str, OmitEmpty),
}};

pub(super) static WINDOWS_SECURITY_CONTEXT_OPTIONS: Message = message! { "core/v1 WindowsSecurityContextOptions" {
    field(1, "gmsaCredentialSpecName", Str, Optional),
    field(2, "gmsaCredentialSpec", Str, Optional),
    field(3, "runAsUserName", Str, Optional),
    field(4, "hostProcess", Bool, Optional),
}};

pub(super) static SECCOMP_PROFILE: Message = message! { "core/v1 SeccompProfile" {
    field(1, "type", Str, Always),
    field(2, "localhostProfile", Str, Optional),
}};

pub(super) static APP_ARMOR_PROFILE: Message = message! { "core/v1 AppArmorProfile" {
    field(1, "type", Str, Always),
    field(2, "localhostProfile", Str, Optional),
}};

pub(super) static EPHEMERAL_CONTAINER: Message = message! { "core/v1 EphemeralContainer" {
    inline(1, Msg(&EPHEMERAL_CONTAINER_COMMON)),
    field(2, "targetContainerName", Str, OmitEmpty),
}};

pub(super) static EPHEMERAL_CONTAINER_COMMON: Message = message! { "core/v1 EphemeralContainerCommon" {
    field(1, "name", Str, Always),
    field(2, "image", Str, OmitEmpty),
    list(3, "command", Str, OmitEmpty),
    list(4, "args", Str, OmitEmpty),
    field(5, "workingDir", Str, OmitEmpty),
    list(6, "ports", Msg(&CONTAINER_PORT), OmitEmpty),
    list(7, "env", Msg(&ENV_VAR), OmitEmpty),
    field(8, "resources", Msg(&RESOURCE_REQUIREMENTS), OmitEmpty),
    list(9, "volumeMounts", Msg(&VOLUME_MOUNT), OmitEmpty),
    field(10, "livenessProbe", Msg(&PROBE), Optional),
    field(11, "readinessProbe", Msg(&PROBE), Optional),
    field(12, "lifecycle", Msg(&LIFECYCLE), Optional),
    field(13, "terminationMessagePath", Str, OmitEmpty),
    field(14, "imagePullPolicy", Str, OmitEmpty),
    field(15, "securityContext", Msg(&SECURITY_CONTEXT), Optional),
    field(16, "stdin", Bool, OmitEmpty),
    field(17, "stdinOnce", Bool, OmitEmpty),
    field(18, "tty", Bool, OmitEmpty),
    list(19, "envFrom", Msg(&ENV_FROM_SOURCE), OmitEmpty),
    field(20, "terminationMessagePolicy", Str, OmitEmpty),
    list(21, "volumeDevices", Msg(&VOLUME_DEVICE), OmitEmpty),
    field(22, "startupProbe", Msg(&PROBE), Optional),
    list(23, "resizePolicy", Msg(&CONTAINER_RESIZE_POLICY), OmitEmpty),
    field(24, "restartPolicy", Str, Optional),
    list(25, "restartPolicyRules", Msg(&CONTAINER_RESTART_RULE), OmitEmpty),
}};

pub(super) static POD_SECURITY_CONTEXT: Message = message! { "core/v1 PodSecurityContext" {
    field(1, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS), Optional),
    field(2, "runAsUser", I64, Optional),
    field(3, "runAsNonRoot", Bool, Optional),
    list(4, "supplementalGroups", I64, OmitEmpty),
    field(5, "fsGroup", I64, Optional),
    field(6, "runAsGroup", I64, Optional),
    list(7, "sysctls", Msg(&SYSCTL), OmitEmpty),
    field(8, "windowsOptions", Msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS), Optional),
    field(9, "fsGroupChangePolicy", Str, Optional),
    field(10, "seccompProfile", Msg(&SECCOMP_PROFILE), Optional),
    field(11, "appArmorProfile", Msg(&APP_ARMOR_PROFILE), Optional),
    field(12, "supplementalGroupsPolicy", Str, Optional),
    field(13, "seLinuxChangePolicy", Str, Optional),
}};

pub(super) static SYSCTL: Message = message! { "core/v1 Sysctl" {
    field(1, "name", Str, Always),
    field(2, "value", Str, Always),
}};

pub(super) static AFFINITY: Message = message! { "core/v1 Affinity" {
    field(1, "nodeAffinity", Msg(&NODE_AFFINITY), Optional),
    field(2, "podAffinity", Msg(&POD_AFFINITY), Optional),
    field(3, "podAntiAffinity", Msg(&POD_ANTI_AFFINITY), Optional),
}};

pub(super) static NODE_AFFINITY: Message = message! { "core/v1 NodeAffinity" {
    field(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(&NODE_SELECTOR), Optional),
    list(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(&PREFERRED_SCHEDULING_TERM), OmitEmpty),
}};

pub(super) static NODE_SELECTOR: Message = message! { "core/v1 NodeSelector" {
    list(1, "nodeSelectorTerms", Msg(&NODE_SELECTOR_TERM), Nullable),
}};

pub(super) static NODE_SELECTOR_TERM: Message = message! { "core/v1 NodeSelectorTerm" {
    list(1, "matchExpressions", Msg(&NODE_SELECTOR_REQUIREMENT), OmitEmpty),
    list(2, "matchFields", Msg(&NODE_SELECTOR_REQUIREMENT), OmitEmpty),
}};

pub(super) static NODE_SELECTOR_REQUIREMENT: Message = message! { "core/v1 NodeSelectorRequirement" {
    field(1, "key", Str, Always),
    field(2, "operator", Str, Always),
    list(3, "values", Str, OmitEmpty),
}};

pub(super) static PREFERRED_SCHEDULING_TERM: Message = message! { "core/v1 PreferredSchedulingTerm" {
    field(1, "weight", I32, Always),
    field(2, "preference", Msg(&NODE_SELECTOR_TERM), Always),
}};

pub(super) static POD_AFFINITY: Message = message! { "core/v1 PodAffinity" {
    list(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(&POD_AFFINITY_TERM), OmitEmpty),
    list(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(&WEIGHTED_POD_AFFINITY_TERM), OmitEmpty),
}};

pub(super) static POD_AFFINITY_TERM: Message = message! { "core/v1 PodAffinityTerm" {
    field(1, "labelSelector", Msg(&LABEL_SELECTOR), Optional),
    list(2, "namespaces", Str, OmitEmpty),
    field(3, "topologyKey", Str, Always),
    field(4, "namespaceSelector", Msg(&LABEL_SELECTOR), Optional),
    list(5, "matchLabelKeys", Str, OmitEmpty),
    list(6, "mismatchLabelKeys", Str, OmitEmpty),
}};

pub(super) static WEIGHTED_POD_AFFINITY_TERM: Message = message! { "core/v1 WeightedPodAffinityTerm" {
    field(1, "weight", I32, Always),
    field(2, "podAffinityTerm", Msg(&POD_AFFINITY_TERM), Always),
}};

pub(super) static POD_ANTI_AFFINITY: Message = message! { "core/v1 PodAntiAffinity" {
    list(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(&POD_AFFINITY_TERM), OmitEmpty),
    list(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(&WEIGHTED_POD_AFFINITY_TERM), OmitEmpty),
}};

pub(super) static TOLERATION: Message = message! { "core/v1 Toleration" {
    field(1, "key", Str, OmitEmpty),
    field(2, "operator", Str, OmitEmpty),
    field(3, "value", Str, OmitEmpty),
    field(4, "effect", Str, OmitEmpty),
    field(5, "tolerationSeconds", I64, Optional),
}};

pub(super) static HOST_ALIAS: Message = message! { "core/v1 HostAlias" {
    field(1, "ip", Str, Always),
    list(2, "hostnames", Str, OmitEmpty),
}};

pub(super) static POD_DNS_CONFIG: Message = message! { "core/v1 PodDNSConfig" {
    list(1, "nameservers", Str, OmitEmpty),
    list(2, "searches", Str, OmitEmpty),
    list(3, "options", Msg(&POD_DNS_CONFIG_OPTION), OmitEmpty),
}};

pub(super) static POD_DNS_CONFIG_OPTION: Message = message! { "core/v1 PodDNSConfigOption" {
    field(1, "name", Str, OmitEmpty),
    field(2, "value", Str, Optional),
}};

pub(super) static POD_READINESS_GATE: Message = message! { "core/v1 PodReadinessGate" {
    field(1, "conditionType", Str, Always),
}};

pub(super) static TOPOLOGY_SPREAD_CONSTRAINT: Message = message! { "core/v1 TopologySpreadConstraint" {
    field(1, "maxSkew", I32, Always),
    field(2, "topologyKey", Str, Always),
    field(3, "whenUnsatisfiable", Str, Always),
    field(4, "labelSelector", Msg(&LABEL_SELECTOR), Optional),
    field(5, "minDomains", I32, Optional),
    field(6, "nodeAffinityPolicy", Str, Optional),
    field(7, "nodeTaintsPolicy", Str, Optional),
    list(8, "matchLabelKeys", Str, OmitEmpty),
}};

pub(super) static POD_OS: Message = message! { "core/v1 PodOS" {
    field(1, "name", Str, Always),
}};

pub(super) static POD_SCHEDULING_GATE: Message = message! { "core/v1 PodSchedulingGate" {
    field(1, "name", Str, Always),
}};

pub(super) static POD_RESOURCE_CLAIM: Message = message! { "core/v1 PodResourceClaim" {
    field(1, "name", Str, Always),
    field(3, "resourceClaimName", Str, Optional),
    field(4, "resourceClaimTemplateName", Str, Optional),
}};

pub(super) static POD_SCHEDULING_GROUP: Message = message! { "core/v1 PodSchedulingGroup" {
    field(1, "podGroupName", Str, Optional),
}};

pub(super) static POD_STATUS: Message = message! { "core/v1 PodStatus" {
    field(1, "phase", Str, OmitEmpty),
    list(2, "conditions", Msg(&POD_CONDITION), OmitEmpty),
    field(3, "message", Str, OmitEmpty),
    field(4, "reason", Str, OmitEmpty),
    field(5, "hostIP", Str, OmitEmpty),
    field(6, "podIP", Str, OmitEmpty),
    field(7, "startTime", Time, Optional),
    list(8, "containerStatuses", Msg(&CONTAINER_STATUS), OmitEmpty),
    field(9, "qosClass", Str, OmitEmpty),
    list(10, "initContainerStatuses", Msg(&CONTAINER_STATUS), OmitEmpty),
    field(11, "nominatedNodeName", Str, OmitEmpty),
    list(12, "podIPs", Msg(&POD_IP), OmitEmpty),
    list(13, "ephemeralContainerStatuses", Msg(&CONTAINER_STATUS), OmitEmpty),
    field(14, "resize", Str, OmitEmpty),
    list(15, "resourceClaimStatuses", Msg(&POD_RESOURCE_CLAIM_STATUS), OmitEmpty),
    list(16, "hostIPs", Msg(&HOST_IP), OmitEmpty),
    field(17, "observedGeneration", I64, OmitEmpty),
    field(18, "extendedResourceClaimStatus", Msg(&POD_EXTENDED_RESOURCE_CLAIM_STATUS), Optional),
    map(19, "allocatedResources", Quantity, OmitEmpty),
    field(20, "resources", Msg(&RESOURCE_REQUIREMENTS), Optional),
    list(21, "nodeAllocatableResourceClaimStatuses", Msg(&NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS), OmitEmpty),
}};

pub(super) static POD_CONDITION: Message = message! { "core/v1 PodCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastProbeTime", Time, OmitEmpty),
    field(4, "lastTransitionTime", Time, OmitEmpty),
    field(5, "reason", Str, OmitEmpty),
    field(6, "message", Str, OmitEmpty),
    field(7, "observedGeneration", I64, OmitEmpty),
}};

pub(super) static HOST_IP: Message = message! { "core/v1 HostIP" {
    field(1, "ip", Str, Always),
}};

pub(super) static POD_IP: Message = message! { "core/v1 PodIP" {
    field(1, "ip", Str, Always),
}};

pub(super) static CONTAINER_STATUS: Message = message! { "core/v1 ContainerStatus" {
    field(1, "name", Str, Always),
    field(2, "state", Msg(&CONTAINER_STATE), OmitEmpty),
    field(3, "lastState", Msg(&CONTAINER_STATE), OmitEmpty),
    field(4, "ready", Bool, Always),
    field(5, "restartCount", I32, Always),
    field(6, "image", Str, Always),
    field(7, "imageID", Str, Always),
    field(8, "containerID", Str, OmitEmpty),
    field(9, "started", Bool, Optional),
    map(10, "allocatedResources", Quantity, OmitEmpty),
    field(11, "resources", Msg(&RESOURCE_REQUIREMENTS), Optional),
    list(12, "volumeMounts", Msg(&VOLUME_MOUNT_STATUS), OmitEmpty),
    field(13, "user", Msg(&CONTAINER_USER), Optional),
    list(14, "allocatedResourcesStatus", Msg(&RESOURCE_STATUS), OmitEmpty),
    field(15, "stopSignal", Str, Optional),
}};

pub(super) static CONTAINER_STATE: Message = message! { "core/v1 ContainerState" {
    field(1, "waiting", Msg(&CONTAINER_STATE_WAITING), Optional),
    field(2, "running", Msg(&CONTAINER_STATE_RUNNING), Optional),
    field(3, "terminated", Msg(&CONTAINER_STATE_TERMINATED), Optional),
}};

pub(super) static CONTAINER_STATE_WAITING: Message = message! { "core/v1 ContainerStateWaiting" {
    field(1, "reason", Str, OmitEmpty),
    field(2, "message", Str, OmitEmpty),
}};

pub(super) static CONTAINER_STATE_RUNNING: Message = message! { "core/v1 ContainerStateRunning" {
    field(1, "startedAt", Time, OmitEmpty),
}};

pub(super) static CONTAINER_STATE_TERMINATED: Message = message! { "core/v1 ContainerStateTerminated" {
    field(1, "exitCode", I32, Always),
    field(2, "signal", I32, OmitEmpty),
    field(3, "reason", Str, OmitEmpty),
    field(4, "message", Str, OmitEmpty),
    field(5, "startedAt", Time, OmitEmpty),
    field(6, "finishedAt", Time, OmitEmpty),
    field(7, "containerID", Str, OmitEmpty),
}};

pub(super) static VOLUME_MOUNT_STATUS: Message = message! { "core/v1 VolumeMountStatus" {
    field(1, "name", Str, Always),
    field(2, "mountPath", Str, Always),
    field(3, "readOnly", Bool, OmitEmpty),
    field(4, "recursiveReadOnly", Str, Optional),
    field(5, "volumeStatus", Msg(&VOLUME_STATUS), Optional),
}};

pub(super) static VOLUME_STATUS: Message = message! { "core/v1 VolumeStatus" {
    field(1, "image", Msg(&IMAGE_VOLUME_STATUS), Optional),
}};

pub(super) static IMAGE_VOLUME_STATUS: Message = message! { "core/v1 ImageVolumeStatus" {
    field(1, "imageRef", Str, OmitEmpty),
}};

pub(super) static CONTAINER_USER: Message = message! { "core/v1 ContainerUser" {
    field(1, "linux", Msg(&LINUX_CONTAINER_USER), Optional),
}};

pub(super) static LINUX_CONTAINER_USER: Message = message! { "core/v1 LinuxContainerUser" {
    field(1, "uid", I64, Always),
    field(2, "gid", I64, Always),
    list(3, "supplementalGroups", I64, OmitEmpty),
}};

pub(super) static RESOURCE_STATUS: Message = message! { "core/v1 ResourceStatus" {
    field(1, "name", Str, Always),
    list(2, "resources", Msg(&RESOURCE_HEALTH), OmitEmpty),
}};

pub(super) static RESOURCE_HEALTH: Message = message! { "core/v1 ResourceHealth" {
    field(1, "resourceID", Str, Always),
    field(2, "health", Str, OmitEmpty),
    field(6, "message", Str, Optional),
}};

pub(super) static POD_RESOURCE_CLAIM_STATUS: Message = message! { "core/v1 PodResourceClaimStatus" {
    field(1, "name", Str, Always),
    field(2, "resourceClaimName", Str, Optional),
}};

pub(super) static POD_EXTENDED_RESOURCE_CLAIM_STATUS: Message = message! { "core/v1 PodExtendedResourceClaimStatus" {
    list(1, "requestMappings", Msg(&CONTAINER_EXTENDED_RESOURCE_REQUEST), Nullable),
    field(2, "resourceClaimName", Str, Always),
}};

pub(super) static CONTAINER_EXTENDED_RESOURCE_REQUEST: Message = message! { "core/v1 ContainerExtendedResourceRequest" {
    field(1, "containerName", Str, Always),
    field(2, "resourceName", Str, Always),
    field(3, "requestName", Str, Always),
}};

pub(super) static NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS: Message = message! { "core/v1 NodeAllocatableResourceClaimStatus" {
    field(1, "resourceClaimName", Str, Always),
    list(2, "containers", Str, OmitEmpty),
    map(3, "resources", Quantity, Nullable),
}};

pub(super) static POD_TEMPLATE_SPEC: Message = message! { "core/v1 PodTemplateSpec" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&POD_SPEC), OmitEmpty),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM: Message = message! { "core/v1 PersistentVolumeClaim" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC), OmitEmpty),
    field(3, "status", Msg(&PERSISTENT_VOLUME_CLAIM_STATUS), OmitEmpty),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM_STATUS: Message = message! { "core/v1 PersistentVolumeClaimStatus" {
    field(1, "phase", Str, OmitEmpty),
    list(2, "accessModes", Str, OmitEmpty),
    map(3, "capacity", Quantity, OmitEmpty),
    list(4, "conditions", Msg(&PERSISTENT_VOLUME_CLAIM_CONDITION), OmitEmpty),
    map(5, "allocatedResources", Quantity, OmitEmpty),
    map(7, "allocatedResourceStatuses", Str, OmitEmpty),
    field(8, "currentVolumeAttributesClassName", Str, Optional),
    field(9, "modifyVolumeStatus", Msg(&MODIFY_VOLUME_STATUS), Optional),
}};

pub(super) static PERSISTENT_VOLUME_CLAIM_CONDITION: Message = message! { "core/v1 PersistentVolumeClaimCondition" {
    field(1, "type", Str, Always),
    field(2, "status", Str, Always),
    field(3, "lastProbeTime", Time, OmitEmpty),
    field(4, "lastTransitionTime", Time, OmitEmpty),
    field(5, "reason", Str, OmitEmpty),
    field(6, "message", Str, OmitEmpty),
}};

pub(super) static MODIFY_VOLUME_STATUS: Message = message! { "core/v1 ModifyVolumeStatus" {
    field(1, "targetVolumeAttributesClassName", Str, OmitEmpty),
    field(2, "status", Str, Always),
}};

pub(super) static RESOURCE_QUOTA: Message = message! { "core/v1 ResourceQuota" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&RESOURCE_QUOTA_SPEC), OmitEmpty),
    field(3, "status", Msg(&RESOURCE_QUOTA_STATUS), OmitEmpty),
}};

pub(super) static RESOURCE_QUOTA_SPEC: Message = message! { "core/v1 ResourceQuotaSpec" {
    map(1, "hard", Quantity, OmitEmpty),
    list(2, "scopes", Str, OmitEmpty),
    field(3, "scopeSelector", Msg(&SCOPE_SELECTOR), Optional),
}};

pub(super) static SCOPE_SELECTOR: Message = message! { "core/v1 ScopeSelector" {
    list(1, "matchExpressions", Msg(&SCOPED_RESOURCE_SELECTOR_REQUIREMENT), OmitEmpty),
}};

pub(super) static SCOPED_RESOURCE_SELECTOR_REQUIREMENT: Message = message! { "core/v1 ScopedResourceSelectorRequirement" {
    field(1, "scopeName", Str, Always),
    field(2, "operator", Str, Always),
    list(3, "values", Str, OmitEmpty),
}};

pub(super) static RESOURCE_QUOTA_STATUS: Message = message! { "core/v1 ResourceQuotaStatus" {
    map(1, "hard", Quantity, OmitEmpty),
    map(2, "used", Quantity, OmitEmpty),
}};

pub(super) static LIMIT_RANGE: Message = message! { "core/v1 LimitRange" {
    field(1, "metadata", Msg(&OBJECT_META), OmitEmpty),
    field(2, "spec", Msg(&LIMIT_RANGE_SPEC), OmitEmpty),
}};

pub(super) static LIMIT_RANGE_SPEC: Message = message! { "core/v1 LimitRangeSpec" {
    list(1, "limits", Msg(&LIMIT_RANGE_ITEM), Nullable),
}};

pub(super) static LIMIT_RANGE_ITEM: Message = message! { "core/v1 LimitRangeItem" {
    field(1, "type", Str, Always),
    map(2, "max", Quantity, OmitEmpty),
    map(3, "min", Quantity, OmitEmpty),
    map(4, "default", Quantity, OmitEmpty),
    map(5, "defaultRequest", Quantity, OmitEmpty),
    map(6, "maxLimitRequestRatio", Quantity, OmitEmpty),
}};

pub(super) static EVENT: Message = message! { "core/v1 Event" {
    field(1, "metadata", Msg(&OBJECT_META), Always),
    field(2, "involvedObject", Msg(&OBJECT_REFERENCE), Always),
    field(3, "reason", Str, OmitEmpty),
    field(4, "message", Str, OmitEmpty),
    field(5, "source", Msg(&EVENT_SOURCE), OmitEmpty),
    field(6, "firstTimestamp", Time, OmitEmpty),
    field(7, "lastTimestamp", Time, OmitEmpty),
    field(8, "count", I32, OmitEmpty),
    field(9, "type", Str, OmitEmpty),
    field(10, "eventTime", MicroTime, OmitEmpty),
    field(11, "series", Msg(&EVENT_SERIES), Optional),
    field(12, "action", Str, OmitEmpty),
    field(13, "related", Msg(&OBJECT_REFERENCE), Optional),
    field(14, "reportingComponent", Str, Always),
    field(15, "reportingInstance", Str, Always),
}};

pub(super) static EVENT_SOURCE: Message = message! { "core/v1 EventSource" {
    field(1, "component", Str, OmitEmpty),
    field(2, "host", Str, OmitEmpty),
}};

pub(super) static EVENT_SERIES: Message = message! { "core/v1 EventSeries" {
    field(1, "count", I32, OmitEmpty),
    field(2, "lastObservedTime", MicroTime, OmitEmpty),
}};
