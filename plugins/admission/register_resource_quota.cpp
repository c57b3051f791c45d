// The library's registrar: identity and factory only.
#include "registrar.h"
#include "resource_quota.h"

UKUBE_ADMISSION_PLUGIN("resource-quota", ukube::admission::ResourceQuotaPlugin)
