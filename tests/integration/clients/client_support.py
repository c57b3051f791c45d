"""What the python3-kubernetes scripts share: the client import with an install hint, the
way checks are reported, and the run of named steps that ends the script."""

import sys
import traceback


def import_client():
    """The kubernetes package's client, config and watch modules, and ApiException."""
    try:
        from kubernetes import client, config, watch
        from kubernetes.client.rest import ApiException
    except ImportError as e:
        print(f"FAIL: cannot import the kubernetes client ({e}) into {sys.executable}; "
              "run `bash packaging/install-deps.sh` as root (installs python3-kubernetes)")
        sys.exit(1)
    return client, config, watch, ApiException


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok: {what}", flush=True)


def run_steps(steps, passed):
    """Runs (name, callable) steps in order; the first failure ends the run. Returns the exit code."""
    for name, step in steps:
        print(f"--- {name}", flush=True)
        try:
            step()
        except Exception:
            print(f"FAIL in {name}:", flush=True)
            traceback.print_exc(file=sys.stdout)
            return 1
    print(f"PASS: {passed}", flush=True)
    return 0
