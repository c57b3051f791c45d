// The library's registrar: identity and factory only.
#include "service_account.h"
#include "ukube/admission/plugin_support.h"

UKUBE_ADMISSION_PLUGIN("service-account", ukube::admission::ServiceAccountPlugin)
