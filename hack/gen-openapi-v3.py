#!/usr/bin/env python3
"""Derives the OpenAPI v3 documents that karmada-apiserver serves at /openapi/v3 for its built-in kinds.

Input: the upstream Kubernetes Swagger 2.0 document (api/openapi-spec/swagger.json of a Kubernetes
release; v1.27.0 is what is checked in). Output, under apiserver/openapi/:

* one gzip-compressed OpenAPI 3.0 document per served group/version (`api__v1.json.gz`,
  `apis__apps__v1.json.gz`, ...), holding the paths of the served resources (and their status/scale
  subresources) and every schema those paths and kinds reference, transitively;
* `builtin.rs`, the table that embeds them (included by apiserver/src/openapi.rs).

Which resources are served is read from the `BUILTINS` table in apiserver/src/registry.rs, so the
documents follow the registry: rerun this script after changing that table.

Usage: python3 hack/gen-openapi-v3.py path/to/swagger.json
Standard library only. The output is deterministic (sorted keys, gzip mtime 0).
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGISTRY = os.path.join(ROOT, "apiserver", "src", "registry.rs")
OUT_DIR = os.path.join(ROOT, "apiserver", "openapi")

DEF_PREFIX = "#/definitions/"
SCHEMA_PREFIX = "#/components/schemas/"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def served_resources(registry_path):
    """[(group, version, resource, kind, has_status, has_scale)] from registry.rs's BUILTINS."""
    with open(registry_path, encoding="utf-8") as f:
        text = f.read()
    start = text.index("const BUILTINS")
    body = text[start : text.index("\n];", start)]
    entries = []
    # Each entry is `b("group", "version", "resource", "Kind", ...)` followed by builder calls.
    for chunk in re.split(r"\bb\(", body)[1:]:
        strings = re.findall(r'"([^"]*)"', chunk)
        if len(strings) < 4:
            raise SystemExit(f"cannot parse BUILTINS entry: b({chunk[:80]}")
        group, version, resource, kind = strings[:4]
        entries.append(
            (group, version, resource, kind, ".status()" in chunk, ".scale()" in chunk)
        )
    if not entries:
        raise SystemExit(f"no BUILTINS entries found in {registry_path}")
    return entries


def gv_path(group, version):
    """The index key upstream uses: `api/v1`, `apis/apps/v1`."""
    return f"api/{version}" if group == "" else f"apis/{group}/{version}"


def file_name(gv):
    return gv.replace("/", "__") + ".json.gz"


def convert_schema(schema):
    """A Swagger 2 schema object as an OpenAPI 3.0 schema object.

    References move to #/components/schemas/. A reference with siblings (a field's description) is
    wrapped in allOf, since OpenAPI 3.0 ignores the siblings of $ref.
    """
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "$ref":
            out[key] = rewrite_ref(value)
        elif key == "properties":
            out[key] = {name: convert_schema(s) for name, s in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            if isinstance(value, list):
                out[key] = [convert_schema(s) for s in value]
            else:
                out[key] = convert_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [convert_schema(s) for s in value]
        elif key == "x-nullable":
            out["nullable"] = value
        else:
            # Descriptions, types, formats, required, enum, defaults and x-kubernetes-* extensions.
            out[key] = value
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out["allOf"] = [{"$ref": ref}]
    return out


def rewrite_ref(ref):
    if not ref.startswith(DEF_PREFIX):
        raise SystemExit(f"unsupported reference {ref!r}")
    return SCHEMA_PREFIX + ref[len(DEF_PREFIX) :]


def convert_parameter(param):
    """A non-body Swagger 2 parameter as an OpenAPI 3.0 parameter (type moves into schema)."""
    out = {}
    schema = {}
    for key, value in param.items():
        if key in ("type", "format", "items", "uniqueItems", "enum", "default", "minimum", "maximum"):
            schema[key] = value
        elif key == "collectionFormat":
            continue
        else:
            out[key] = value
    out["schema"] = convert_schema(schema)
    return out


def convert_operation(op, path_consumes=None):
    out = {}
    consumes = op.get("consumes") or path_consumes or ["*/*"]
    produces = op.get("produces") or ["application/json"]
    for key, value in op.items():
        if key in ("consumes", "produces", "schemes"):
            continue
        if key == "parameters":
            params = []
            for param in value:
                if param.get("in") == "body":
                    body = {
                        "content": {
                            mime: {"schema": convert_schema(param["schema"])} for mime in consumes
                        }
                    }
                    if param.get("required"):
                        body["required"] = True
                    if param.get("description"):
                        body["description"] = param["description"]
                    out["requestBody"] = body
                else:
                    params.append(convert_parameter(param))
            if params:
                out["parameters"] = params
        elif key == "responses":
            responses = {}
            for code, response in value.items():
                converted = {"description": response.get("description", "")}
                if "schema" in response:
                    converted["content"] = {
                        mime: {"schema": convert_schema(response["schema"])} for mime in produces
                    }
                responses[code] = converted
            out["responses"] = responses
        else:
            out[key] = value
    return out


def convert_path_item(item):
    out = {}
    for key, value in item.items():
        if key in HTTP_METHODS:
            out[key] = convert_operation(value)
        elif key == "parameters":
            out[key] = [convert_parameter(p) for p in value]
        else:
            out[key] = value
    return out


def refs_in(node, found):
    """Collects the names of every #/components/schemas/ reference under node."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            found.add(ref[len(SCHEMA_PREFIX) :])
        for key, value in node.items():
            if key != "$ref":
                refs_in(value, found)
    elif isinstance(node, list):
        for value in node:
            refs_in(value, found)


def gvks_of(definition):
    return {
        (g.get("group", ""), g.get("version", ""), g.get("kind", ""))
        for g in definition.get("x-kubernetes-group-version-kind", [])
    }


def build_document(swagger, gv, resources):
    definitions = swagger["definitions"]
    prefix = "/" + gv
    paths = {}
    for group, version, resource, kind, has_status, has_scale in resources:
        subresources = ["status"] * has_status + ["scale"] * has_scale
        sub = "|".join(subresources)
        pattern = re.compile(
            "^"
            + re.escape(prefix)
            + r"(/namespaces/\{namespace\})?/"
            + re.escape(resource)
            + r"(/\{name\}"
            + (f"(/({sub}))?" if sub else "")
            + r")?$"
        )
        matched = [p for p in swagger["paths"] if pattern.match(p)]
        if not matched:
            raise SystemExit(f"no upstream paths for {gv} {resource}")
        for p in matched:
            paths[p] = convert_path_item(swagger["paths"][p])

    # The served kinds and their lists, then everything reachable from them and from the paths.
    wanted = set()
    for group, version, resource, kind, _, _ in resources:
        for name, definition in definitions.items():
            gvks = gvks_of(definition)
            if (group, version, kind) in gvks or (group, version, kind + "List") in gvks:
                wanted.add(name)
        if not any((group, version, kind) in gvks_of(d) for d in definitions.values()):
            raise SystemExit(f"no upstream schema for {gv} {kind}")
    refs_in(paths, wanted)
    schemas = {}
    pending = sorted(wanted)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        if name not in definitions:
            raise SystemExit(f"{gv}: dangling reference to {name}")
        schemas[name] = convert_schema(definitions[name])
        found = set()
        refs_in(schemas[name], found)
        pending.extend(sorted(found - schemas.keys()))

    security = swagger.get("securityDefinitions", {})
    document = {
        "openapi": "3.0.0",
        "info": dict(swagger.get("info", {})),
        "paths": paths,
        "components": {"schemas": schemas},
    }
    if security:
        document["components"]["securitySchemes"] = security
        document["security"] = swagger.get("security", [])
    return document


def gzip_bytes(data):
    buffer = io.BytesIO()
    # mtime 0 and no file name keep the output byte-for-byte reproducible.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("swagger", help="upstream Kubernetes swagger.json (Swagger 2.0)")
    parser.add_argument("--out", default=OUT_DIR, help="output directory (default: %(default)s)")
    args = parser.parse_args()

    with open(args.swagger, "rb") as f:
        raw = f.read()
    swagger = json.loads(raw)
    source_sha256 = hashlib.sha256(raw).hexdigest()
    if swagger.get("swagger") != "2.0":
        raise SystemExit(f"{args.swagger} is not a Swagger 2.0 document")

    by_gv = {}
    for entry in served_resources(REGISTRY):
        by_gv.setdefault(gv_path(entry[0], entry[1]), []).append(entry)

    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if old.endswith(".json.gz"):
            os.remove(os.path.join(args.out, old))
    table = []
    for gv in sorted(by_gv):
        document = build_document(swagger, gv, by_gv[gv])
        data = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        name = file_name(gv)
        packed = gzip_bytes(data)
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(packed)
        table.append((gv, name))
        print(
            f"{gv}: {len(document['components']['schemas'])} schemas, {len(document['paths'])} paths,"
            f" {len(data)} bytes, {len(packed)} gzipped",
            file=sys.stderr,
        )

    version = swagger.get("info", {}).get("version", "unknown")
    lines = [
        f"// Generated by hack/gen-openapi-v3.py from the Kubernetes {version} swagger.json; do not edit.",
        f"// Source sha256: {source_sha256}",
        "",
        "/// `(group/version path as in the /openapi/v3 index, gzip-compressed OpenAPI 3.0 document)`.",
        "pub(crate) const BUILTIN_DOCUMENTS: &[(&str, &[u8])] = &[",
    ]
    lines += [f'    ("{gv}", include_bytes!("{name}")),' for gv, name in table]
    lines += ["];", ""]
    with open(os.path.join(args.out, "builtin.rs"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
