// The library's registrar: identity and factory only.
#include "namespace_lifecycle.h"
#include "registrar.h"

UKUBE_ADMISSION_PLUGIN("namespace-lifecycle", ukube::admission::NamespaceLifecyclePlugin)
