// The library's registrar: identity and factory only.
#include "namespace_lifecycle.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("namespace-lifecycle", ukube::admission::NamespaceLifecyclePlugin)
