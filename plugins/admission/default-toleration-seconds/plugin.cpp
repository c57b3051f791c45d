// The library's registrar: identity and factory only.
#include "default_toleration_seconds.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("default-toleration-seconds", ukube::admission::DefaultTolerationSecondsPlugin)
