//! The karmada-agent library (pull mode). Arrives with the cluster-lifecycle tranche.
