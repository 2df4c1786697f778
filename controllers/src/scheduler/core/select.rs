//! Cluster selection under spread constraints (Karmada's `spreadconstraint` package): by cluster
//! (minGroups/maxGroups, with enough capacity for Divided) or by region (whole regions first,
//! then the best remaining clusters). Zone and provider spreading only filter.

use std::collections::BTreeMap;

use karmada_api::policy::v1alpha1::{
    Placement, ReplicaDivisionPreference, ReplicaSchedulingType, SpreadConstraint, SpreadFieldValue,
};

use super::score::Candidate;

/// Score units per cluster that fits (Karmada's `weightUnit`).
const WEIGHT_UNIT: i64 = 1000;

/// Picks the clusters to assign replicas to from the ranked `candidates`. `Err` says why no
/// selection satisfies the constraints.
pub fn select<'a>(
    placement: &Placement,
    candidates: Vec<Candidate<'a>>,
    replicas: i64,
) -> Result<Vec<Candidate<'a>>, String> {
    let constraints = placement.spread_constraints.as_deref().unwrap_or_default();
    if constraints.is_empty() || ignores_spread_constraints(placement) {
        return Ok(candidates);
    }
    // Duplicated bindings need every cluster to hold all replicas anyway: capacity is ignored.
    let need =
        (placement.replica_scheduling_type() == ReplicaSchedulingType::Divided).then_some(replicas);
    let by = |field| {
        constraints
            .iter()
            .find(|c| c.spread_by_field == Some(field))
    };
    let cluster_constraint = by(SpreadFieldValue::Cluster);
    if let Some(region) = by(SpreadFieldValue::Region) {
        by_region(placement, region, cluster_constraint, candidates, replicas)
    } else if let Some(cluster) = cluster_constraint {
        by_cluster(cluster, candidates, need)
    } else {
        Err("just support cluster and region spread constraint".into())
    }
}

/// Static-weight division ignores spread constraints (Karmada's `shouldIgnoreSpreadConstraint`:
/// Divided, Weighted, and no weight preference or a static list without dynamic weight).
pub fn ignores_spread_constraints(placement: &Placement) -> bool {
    let Some(strategy) = &placement.replica_scheduling else {
        return false;
    };
    if placement.replica_scheduling_type() != ReplicaSchedulingType::Divided
        || strategy.replica_division_preference == Some(ReplicaDivisionPreference::Aggregated)
    {
        return false;
    }
    match &strategy.weight_preference {
        None => true,
        Some(preference) => {
            preference
                .static_weight_list
                .as_ref()
                .is_some_and(|l| !l.is_empty())
                && preference.dynamic_weight.is_none()
        }
    }
}

fn min_groups(constraint: &SpreadConstraint) -> usize {
    usize::try_from(constraint.min_groups.unwrap_or(1)).unwrap_or(0)
}

/// `maxGroups`, where unset or 0 means no limit (Karmada would select nothing).
fn max_groups(constraint: &SpreadConstraint, available: usize) -> usize {
    match constraint.max_groups {
        Some(max) if max > 0 => usize::try_from(max).unwrap_or(usize::MAX),
        _ => available,
    }
}

/// By cluster: the top `min(maxGroups, n)` by rank; for Divided (`need` set), while their
/// available replicas fall short, the lowest-ranked chosen clusters are swapped, last first, for
/// the remaining cluster with the most available replicas (when that is more).
fn by_cluster<'a>(
    constraint: &SpreadConstraint,
    candidates: Vec<Candidate<'a>>,
    need: Option<i64>,
) -> Result<Vec<Candidate<'a>>, String> {
    if candidates.len() < min_groups(constraint) {
        return Err(
            "the number of feasible clusters is less than spreadConstraint.MinGroups".into(),
        );
    }
    let count = max_groups(constraint, candidates.len()).min(candidates.len());
    let mut chosen = candidates;
    let mut rest = chosen.split_off(count);
    let Some(need) = need else {
        return Ok(chosen);
    };
    let enough =
        |clusters: &[Candidate<'_>]| clusters.iter().map(|c| c.available).sum::<i64>() >= need;
    for slot in (0..chosen.len()).rev() {
        if enough(&chosen) {
            break;
        }
        let mut best: Option<usize> = None;
        let mut most = chosen[slot].available;
        for (i, candidate) in rest.iter().enumerate() {
            if candidate.available > most {
                most = candidate.available;
                best = Some(i);
            }
        }
        if let Some(i) = best {
            std::mem::swap(&mut chosen[slot], &mut rest[i]);
        }
    }
    if enough(&chosen) {
        Ok(chosen)
    } else {
        Err(format!(
            "no enough resource when selecting {count} clusters"
        ))
    }
}

struct Region<'a> {
    name: &'a str,
    clusters: Vec<Candidate<'a>>,
    score: i64,
}

/// By region: choose whole regions (at least `minGroups`, at most `maxGroups`, together holding
/// at least the cluster constraint's `minGroups` clusters, best score first), take the best
/// cluster of each, then fill up to the cluster `maxGroups` with the best remaining clusters.
fn by_region<'a>(
    placement: &Placement,
    region_constraint: &SpreadConstraint,
    cluster_constraint: Option<&SpreadConstraint>,
    candidates: Vec<Candidate<'a>>,
    replicas: i64,
) -> Result<Vec<Candidate<'a>>, String> {
    let mut grouped: BTreeMap<&'a str, Vec<Candidate<'a>>> = BTreeMap::new();
    for candidate in &candidates {
        if let Some(region) = candidate
            .cluster
            .spec
            .region
            .as_deref()
            .filter(|r| !r.is_empty())
        {
            grouped.entry(region).or_default().push(*candidate);
        }
    }
    let region_min = min_groups(region_constraint);
    if grouped.len() < region_min {
        return Err("the number of feasible region is less than spreadConstraint.MinGroups".into());
    }
    let mut regions: Vec<Region<'a>> = grouped
        .into_iter()
        .map(|(name, clusters)| {
            let score = group_score(
                placement,
                &clusters,
                replicas,
                region_min,
                cluster_constraint,
            );
            Region {
                name,
                clusters,
                score,
            }
        })
        .collect();
    let cluster_min = cluster_constraint.map_or(0, min_groups);
    let region_max = max_groups(region_constraint, regions.len());
    let chosen = choose_groups(&mut regions, region_min, region_max, cluster_min);
    if chosen.is_empty() {
        return Err(
            "the number of clusters is less than the cluster spreadConstraint.MinGroups".into(),
        );
    }
    let mut selected = Vec::new();
    let mut rest = Vec::new();
    for index in chosen {
        let clusters = &regions[index].clusters;
        selected.push(clusters[0]);
        rest.extend_from_slice(&clusters[1..]);
    }
    let total = selected.len() + rest.len();
    let wanted = cluster_constraint
        .map_or(total, |c| max_groups(c, total))
        .min(total);
    if wanted > selected.len() {
        rest.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(b.available.cmp(&a.available))
                .then(a.name.cmp(b.name))
        });
        let extra = wanted - selected.len();
        selected.extend(rest.into_iter().take(extra));
    }
    Ok(selected)
}

/// Karmada's `calcGroupScore`: how well a group can hold the workload, in [`WEIGHT_UNIT`]s per
/// replica (or per fitting cluster for Duplicated), plus the clusters' average score.
fn group_score(
    placement: &Placement,
    clusters: &[Candidate<'_>],
    replicas: i64,
    min_groups: usize,
    cluster_constraint: Option<&SpreadConstraint>,
) -> i64 {
    if placement.replica_scheduling_type() == ReplicaSchedulingType::Duplicated {
        let fitting: Vec<&Candidate<'_>> = clusters
            .iter()
            .filter(|c| c.available >= replicas)
            .collect();
        if fitting.is_empty() {
            return 0;
        }
        let count = fitting.len() as i64;
        return count * WEIGHT_UNIT + fitting.iter().map(|c| c.score).sum::<i64>() / count;
    }
    let divisor = i64::try_from(min_groups.max(1)).unwrap_or(1);
    let target = (replicas + divisor - 1).div_euclid(divisor);
    let cluster_min = cluster_constraint
        .map_or(0, self::min_groups)
        .max(min_groups);
    let (mut available, mut score, mut counted) = (0i64, 0i64, 0usize);
    for cluster in clusters {
        available = available.saturating_add(cluster.available);
        score += cluster.score;
        counted += 1;
        if counted >= cluster_min && available >= target {
            break;
        }
    }
    if available < target {
        available.saturating_mul(WEIGHT_UNIT) + score / clusters.len() as i64
    } else {
        target.saturating_mul(WEIGHT_UNIT) + score / counted as i64
    }
}

/// Karmada's `selectGroups`: every minimal combination of groups (value = clusters held, weight
/// = group score) with `min..=max` groups and at least `target` clusters, found depth-first over
/// the groups sorted by value asc, weight desc, name asc; the heaviest wins, then the one with
/// more clusters, then the first found. Returns region indices, by weight desc then name asc.
fn choose_groups(regions: &mut [Region<'_>], min: usize, max: usize, target: usize) -> Vec<usize> {
    regions.sort_by(|a, b| {
        a.clusters
            .len()
            .cmp(&b.clusters.len())
            .then(b.score.cmp(&a.score))
            .then(a.name.cmp(b.name))
    });
    let mut paths: Vec<Vec<usize>> = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    explore(regions, min, max, target, 0, 0, &mut path, &mut paths);
    let weight = |p: &Vec<usize>| p.iter().map(|&i| regions[i].score).sum::<i64>();
    let value = |p: &Vec<usize>| p.iter().map(|&i| regions[i].clusters.len()).sum::<usize>();
    // Stable: among equals, the first path found wins.
    paths.sort_by(|a, b| weight(b).cmp(&weight(a)).then(value(b).cmp(&value(a))));
    let Some(mut best) = paths.into_iter().next() else {
        return Vec::new();
    };
    best.sort_by(|&a, &b| {
        regions[b]
            .score
            .cmp(&regions[a].score)
            .then(regions[a].name.cmp(regions[b].name))
    });
    best
}

#[allow(clippy::too_many_arguments)]
fn explore(
    regions: &[Region<'_>],
    min: usize,
    max: usize,
    target: usize,
    sum: usize,
    begin: usize,
    path: &mut Vec<usize>,
    paths: &mut Vec<Vec<usize>>,
) {
    if sum >= target && path.len() >= min && path.len() <= max {
        paths.push(path.clone());
        return;
    }
    if path.len() >= max {
        return;
    }
    for i in begin..regions.len() {
        path.push(i);
        explore(
            regions,
            min,
            max,
            target,
            sum + regions[i].clusters.len(),
            i + 1,
            path,
            paths,
        );
        path.pop();
        // Karmada stops widening when every group is needed anyway.
        if regions.len() == min {
            break;
        }
    }
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
