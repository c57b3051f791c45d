#!/usr/bin/python3
"""Debian's python3-kubernetes against a ukube API server with custom resources: a
CustomResourceDefinition created through ApiextensionsV1Api, then CRUD, status, scale
and a watch through CustomObjectsApi, and the definition deleted with its instances.

Takes the cluster from $KUBECONFIG. Exits 0 when every check passed; otherwise prints
what differed and exits 1.
"""

import sys
import threading
import time

from client_support import check, import_client, run_steps

client, config, watch, ApiException = import_client()

NS = "default"
GROUP, VERSION, PLURAL = "example.com", "v1", "gizmos"
DEADLINE = time.monotonic() + 120

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{PLURAL}.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": PLURAL, "singular": "gizmo", "kind": "Gizmo", "shortNames": ["gz"]},
        "versions": [{
            "name": VERSION, "served": True, "storage": True,
            "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                     "statusReplicasPath": ".status.replicas"}},
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "string", "enum": ["small", "large"], "default": "small"},
                        "replicas": {"type": "integer", "minimum": 0}}},
                    "status": {"type": "object", "properties": {"replicas": {"type": "integer"},
                                                                "phase": {"type": "string"}}}}}},
        }],
    },
}


def wait_for(predicate, what, timeout=20):
    deadline = min(time.monotonic() + timeout, DEADLINE)
    while time.monotonic() < deadline:
        if predicate():
            print(f"ok: {what}", flush=True)
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def gizmo(name, labels=None, **spec):
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Gizmo",
            "metadata": {"name": name, "labels": labels or {}}, "spec": spec}


def established(ext):
    crd = ext.read_custom_resource_definition(f"{PLURAL}.{GROUP}")
    return any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or []))


def test_definition(ext):
    created = ext.create_custom_resource_definition(CRD)
    check(isinstance(created, client.V1CustomResourceDefinition) and created.spec.names.kind == "Gizmo",
          "create_custom_resource_definition returns a V1CustomResourceDefinition")
    wait_for(lambda: established(ext), "the definition becomes Established")
    crd = ext.read_custom_resource_definition(f"{PLURAL}.{GROUP}")
    check(crd.status.accepted_names.plural == PLURAL and crd.status.stored_versions == [VERSION],
          "status carries the accepted names and the stored version")


def test_crud(co):
    created = co.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, gizmo("g1", {"app": "a"}, replicas=1))
    check(created["spec"] == {"size": "small", "replicas": 1} and created["metadata"]["uid"],
          "create_namespaced_custom_object returns the defaulted object")
    co.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, gizmo("g2", {"app": "b"}, size="large"))
    try:
        co.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, gizmo("g3", size="medium"))
        raise AssertionError("an invalid gizmo was created")
    except ApiException as e:
        check(e.status == 422 and 'Unsupported value: \\"medium\\"' in e.body,
              f"an invalid gizmo is refused with 422 (got {e.status})")

    got = co.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g1")
    check(got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"],
          "get_namespaced_custom_object")
    listed = co.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, label_selector="app=a")
    check([i["metadata"]["name"] for i in listed["items"]] == ["g1"] and listed["kind"] == "GizmoList",
          "list_namespaced_custom_object with a label selector")
    everywhere = co.list_cluster_custom_object(GROUP, VERSION, PLURAL)
    check(sorted(i["metadata"]["name"] for i in everywhere["items"]) == ["g1", "g2"],
          "list_cluster_custom_object lists across namespaces")

    patched = co.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g1", {"spec": {"size": "large"}})
    check(patched["spec"] == {"size": "large", "replicas": 1}, "patch_namespaced_custom_object (merge patch)")
    patched["spec"]["replicas"] = 2
    replaced = co.replace_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g1", patched)
    check(replaced["spec"]["replicas"] == 2 and replaced["metadata"]["generation"] == 3,
          "replace_namespaced_custom_object bumps the generation")

    status = co.patch_namespaced_custom_object_status(GROUP, VERSION, NS, PLURAL, "g1",
                                                      {"status": {"replicas": 2, "phase": "Ready"}})
    check(status["status"] == {"replicas": 2, "phase": "Ready"} and status["metadata"]["generation"] == 3,
          "patch_namespaced_custom_object_status writes status, not the generation")
    scale = co.get_namespaced_custom_object_scale(GROUP, VERSION, NS, PLURAL, "g1")
    check(scale["spec"]["replicas"] == 2 and scale["status"]["replicas"] == 2, "the scale subresource")
    co.patch_namespaced_custom_object_scale(GROUP, VERSION, NS, PLURAL, "g1", {"spec": {"replicas": 4}})
    check(co.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g1")["spec"]["replicas"] == 4,
          "patching the scale changes spec.replicas")

    co.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g2")
    try:
        co.get_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "g2")
        raise AssertionError("g2 is still there")
    except ApiException as e:
        check(e.status == 404, "a deleted gizmo is gone")


def test_watch(co):
    start = co.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL)
    events = []
    w = watch.Watch()

    def run():
        for event in w.stream(co.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL,
                              resource_version=start["metadata"]["resourceVersion"], timeout_seconds=60):
            events.append((event["type"], event["object"]["metadata"]["name"]))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    co.create_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, gizmo("w1"))
    co.patch_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "w1", {"spec": {"size": "large"}})
    co.delete_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, "w1")
    wait_for(lambda: len(events) >= 3, "three watch events")
    w.stop()
    check(events[:3] == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")],
          f"the watch sees ADDED, MODIFIED, DELETED (got {events})")


def test_cleanup(ext, co):
    ext.delete_custom_resource_definition(f"{PLURAL}.{GROUP}")

    def gone():
        try:
            ext.read_custom_resource_definition(f"{PLURAL}.{GROUP}")
            return False
        except ApiException as e:
            return e.status == 404

    wait_for(gone, "the deleted definition goes once its instances are gone")
    try:
        co.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL)
        raise AssertionError("gizmos are still served")
    except ApiException as e:
        check(e.status == 404, "the resource is no longer served")


def main():
    config.load_kube_config()
    ext = client.ApiextensionsV1Api()
    co = client.CustomObjectsApi()
    steps = [("definition", lambda: test_definition(ext)),
             ("crud", lambda: test_crud(co)),
             ("watch", lambda: test_watch(co)),
             ("cleanup", lambda: test_cleanup(ext, co))]
    return run_steps(steps, "python3-kubernetes custom objects")


if __name__ == "__main__":
    sys.exit(main())
