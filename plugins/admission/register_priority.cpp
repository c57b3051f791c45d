// The library's registrar: identity and factory only.
#include "priority.h"
#include "registrar.h"

UKUBE_ADMISSION_PLUGIN("priority", ukube::admission::PriorityPlugin)
