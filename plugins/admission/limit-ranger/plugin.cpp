// The library's registrar: identity and factory only.
#include "limit_ranger.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("limit-ranger", ukube::admission::LimitRangerPlugin)
