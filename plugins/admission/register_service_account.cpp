// The library's registrar: identity and factory only.
#include "registrar.h"
#include "service_account.h"

UKUBE_ADMISSION_PLUGIN("service-account", ukube::admission::ServiceAccountPlugin)
