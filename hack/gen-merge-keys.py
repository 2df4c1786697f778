#!/usr/bin/env python3
"""Generate apiserver/src/patch/merge_keys.json from a Kubernetes OpenAPI v2 (swagger) document.

Usage:
    python3 hack/gen-merge-keys.py SWAGGER_JSON [OUTPUT_JSON]

The output lists, for every built-in kind (a definition with `x-kubernetes-group-version-kind` and
ObjectMeta metadata), the fields that carry list/patch metadata, keyed by a dotted field path from the
object root:

    "apps/v1/Deployment": {
        "spec.template.spec.containers": {"patchStrategy": "merge", "patchMergeKey": "name"},
        ...
    }

Path rules: `$ref`s are followed; array items are transparent (`containers.ports` is the `ports` field of
each container); the values of a string-keyed map (`additionalProperties`) are the segment `*`. When a
definition recurs inside itself (JSONSchemaProps), the recurring field gets `{"sameAs": "<ancestor
path>"}` instead of an endless expansion. Subtrees without any metadata are left out.

Recorded extensions: x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key (strategic merge patch)
and x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type (server-side apply);
a map type declared on a referenced definition is recorded on the field that refers to it.

Standard library only; the output is deterministic (sorted keys).
"""

import json
import sys

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
REF_PREFIX = "#/definitions/"

FIELD_EXTENSIONS = {
    "x-kubernetes-patch-strategy": "patchStrategy",
    "x-kubernetes-patch-merge-key": "patchMergeKey",
    "x-kubernetes-list-type": "listType",
    "x-kubernetes-list-map-keys": "listMapKeys",
    "x-kubernetes-map-type": "mapType",
}


def ref_name(schema):
    ref = schema.get("$ref")
    if ref is None:
        return None
    if not ref.startswith(REF_PREFIX):
        raise SystemExit(f"unsupported $ref {ref!r}")
    return ref[len(REF_PREFIX):]


class Generator:
    def __init__(self, definitions):
        self.definitions = definitions

    def field_meta(self, schema):
        """The metadata of one property schema (extensions on it, or on the definition it refers to)."""
        meta = {}
        for ext, key in FIELD_EXTENSIONS.items():
            if ext in schema:
                meta[key] = schema[ext]
        target = ref_name(schema)
        if target is not None and "mapType" not in meta:
            map_type = self.definitions.get(target, {}).get("x-kubernetes-map-type")
            if map_type is not None:
                meta["mapType"] = map_type
        return meta

    @staticmethod
    def children(schema):
        """(segment, child schema) pairs below a schema, looking through arrays and maps."""
        while schema.get("type") == "array" and "items" in schema:
            schema = schema["items"]
        if isinstance(schema.get("additionalProperties"), dict):
            yield "*", schema["additionalProperties"]
        for name, prop in sorted(schema.get("properties", {}).items()):
            yield name, prop

    def element_definition(self, schema):
        """The definition a property's values (or array items, or map values) are described by."""
        while schema.get("type") == "array" and "items" in schema:
            schema = schema["items"]
        return ref_name(schema)

    def walk(self, schema, path, stack, out):
        """Record metadata below `schema` (already at `path`). `stack` maps definitions being expanded
        to the path where their expansion started."""
        target = self.element_definition(schema)
        if target is not None:
            if target in stack:
                out.setdefault(path, {})["sameAs"] = stack[target]
                return
            definition = self.definitions.get(target)
            if definition is None:
                raise SystemExit(f"dangling $ref to {target}")
            stack[target] = path
            self.walk_members(definition, path, stack, out)
            del stack[target]
        else:
            self.walk_members(schema, path, stack, out)

    def walk_members(self, schema, path, stack, out):
        for segment, child in self.children(schema):
            child_path = f"{path}.{segment}" if path else segment
            meta = self.field_meta(child)
            if meta:
                out[child_path] = meta
            self.walk(child, child_path, stack, out)

    def kind_table(self, definition_name):
        out = {}
        self.walk_members(self.definitions[definition_name], "", {definition_name: ""}, out)
        return prune(out)


def prune(table):
    """Drop `sameAs` links that point at subtrees with no metadata of their own."""
    def has_metadata_below(prefix):
        lead = f"{prefix}." if prefix else ""
        return any(
            p.startswith(lead) and any(k != "sameAs" for k in meta)
            for p, meta in table.items()
        )

    pruned = {}
    for p, meta in table.items():
        meta = dict(meta)
        if "sameAs" in meta and not has_metadata_below(meta["sameAs"]):
            del meta["sameAs"]
        if meta:
            pruned[p] = meta
    return pruned


def is_resource_kind(definition):
    metadata = definition.get("properties", {}).get("metadata", {})
    return ref_name(metadata) == OBJECT_META


def render(document):
    """JSON with one line per field path, so that diffs of the checked-in file stay readable."""
    compact = {"separators": (", ", ": "), "sort_keys": True}
    lines = ["{"]
    for key in ("source", "generatedBy", "note"):
        lines.append(f" {json.dumps(key)}: {json.dumps(document[key])},")
    lines.append(' "kinds": {')
    kinds = sorted(document["kinds"].items())
    for i, (kind, table) in enumerate(kinds):
        lines.append(f"  {json.dumps(kind)}: {{")
        entries = sorted(table.items())
        for j, (path, meta) in enumerate(entries):
            comma = "," if j + 1 < len(entries) else ""
            lines.append(f"   {json.dumps(path)}: {json.dumps(meta, **compact)}{comma}")
        lines.append("  }" + ("," if i + 1 < len(kinds) else ""))
    lines.append(" }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if json.loads(text) != document:
        raise SystemExit("internal error: rendered JSON does not round-trip")
    return text


def main(argv):
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        swagger = json.load(f)
    definitions = swagger["definitions"]
    generator = Generator(definitions)
    kinds = {}
    for name, definition in sorted(definitions.items()):
        if not is_resource_kind(definition):
            continue
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk["group"], gvk["version"], gvk["kind"]
            api_version = f"{group}/{version}" if group else version
            kinds[f"{api_version}/{kind}"] = generator.kind_table(name)
    title = swagger.get("info", {}).get("title", "Kubernetes")
    release = swagger.get("info", {}).get("version", "unknown")
    document = {
        "source": f"{title} {release} OpenAPI v2 (api/openapi-spec/swagger.json); "
        "Copyright The Kubernetes Authors, Apache License 2.0",
        "generatedBy": "python3 hack/gen-merge-keys.py "
        "/work/shared/reference/kubernetes-v1.27.0-swagger.json apiserver/src/patch/merge_keys.json",
        "note": "Generated; do not edit. Keys: apiVersion/Kind, then dotted field paths (array items are "
        "transparent, map values are '*'); sameAs names an ancestor path whose fields recur here.",
        "kinds": kinds,
    }
    text = render(document)
    if len(argv) == 3:
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
