// The library's registrar: identity and factory only.
#include "priority.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("priority", ukube::admission::PriorityPlugin)
