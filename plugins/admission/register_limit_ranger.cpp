// The library's registrar: identity and factory only.
#include "limit_ranger.h"
#include "registrar.h"

UKUBE_ADMISSION_PLUGIN("limit-ranger", ukube::admission::LimitRangerPlugin)
