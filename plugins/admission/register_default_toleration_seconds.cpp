// The library's registrar: identity and factory only.
#include "default_toleration_seconds.h"
#include "registrar.h"

UKUBE_ADMISSION_PLUGIN("default-toleration-seconds", ukube::admission::DefaultTolerationSecondsPlugin)
